// libFuzzer's entry point for programs that have their own main (compiler-rt FuzzerInterface.h).
// The symbol comes from libclang_rt.fuzzer, linked by swiftc -sanitize=fuzzer.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
