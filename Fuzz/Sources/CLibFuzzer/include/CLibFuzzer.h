#ifndef WEIGHTPACK_CLIBFUZZER_H
#define WEIGHTPACK_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, FuzzerDriver.cpp), linked in by `-sanitize=fuzzer`: parses libFuzzer's
/// command-line flags and calls `callback` once per input until a limit is reached or an input fails.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
