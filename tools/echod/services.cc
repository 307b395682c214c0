#include "tools/echod/services.h"

#include <time.h>

namespace ipckit::echod {

std::string Chargen(size_t lines, uint64_t* line) {
  std::string out;
  for (size_t i = 0; i < lines; ++i, ++*line) {
    for (int c = 0; c < 72; ++c) out.push_back(static_cast<char>(' ' + 1 + (*line + c) % 94));
    out += "\r\n";
  }
  return out;
}

std::string Daytime() {
  char buf[64];
  time_t t = ::time(nullptr);
  struct tm tm;
  ::gmtime_r(&t, &tm);
  ::strftime(buf, sizeof(buf), "%A, %B %d, %Y %H:%M:%S-UTC\r\n", &tm);
  return buf;
}

}  // namespace ipckit::echod
