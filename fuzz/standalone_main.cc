// standalone_main: runs a fuzz target's LLVMFuzzerTestOneInput over the
// files named on the command line, for builds without libFuzzer (the seed
// corpus as a regression test). It prints each file and exits 0, or dies the
// way the target does.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    if (!f) {
      fprintf(stderr, "standalone_main: cannot read %s\n", argv[i]);
      return 1;
    }
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  printf("standalone_main: %d inputs\n", argc - 1);
  return 0;
}
