// Declarations only: the definitions come from libFuzzer, which `-sanitize=fuzzer` links in.
#include "CLibFuzzer.h"
