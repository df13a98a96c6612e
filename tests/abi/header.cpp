// The public header must compile as C++11 with -pedantic -Werror: it is used
// from C++ callers and bindings. The program also links, so the extern "C"
// block really gives C linkage.
#include "avnm.h"

int main()
{
	avnm_options opts = AVNM_OPTIONS_INIT;
	(void)opts;
	return avnm_version_number() == AVNM_VERSION_NUMBER ? 0 : 1;
}
