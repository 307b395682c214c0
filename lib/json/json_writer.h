// json_writer.h writes JSON text for --json outputs: one object per line,
// commas and string escaping handled in one place (control characters,
// quotes, and bytes that are not UTF-8 as \u00XX of the Latin-1 reading, so
// the output always parses).
//
// Example:
//
//   JsonWriter j;
//   j.BeginObject().Key("target").String("example.org:443")
//    .Key("port").Int(443).Key("error").Null().EndObject();
//   std::cout << j.str() << "\n";  // {"target":"example.org:443","port":443,"error":null}
//
// Threads: a JsonWriter is used by one thread at a time.
#ifndef IPCKIT_LIB_JSON_JSON_WRITER_H_
#define IPCKIT_LIB_JSON_JSON_WRITER_H_

#include <stdint.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ipckit::json {

class JsonWriter {
 public:
  // Each call appends one token; values inside an object must follow Key.
  // Misuse (a value without a key in an object, unbalanced ends) is a
  // programming error and aborts in debug builds.
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  // Double writes `value` with up to `precision` decimals, trailing zeros
  // dropped; NaN and infinities become null.
  JsonWriter& Double(double value, int precision = 3);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Strings writes an array of strings.
  JsonWriter& Strings(const std::vector<std::string>& values);
  // BeginString, AppendString and EndString write one string value in
  // pieces (a hex dump of any size); each piece is escaped as String does,
  // so a UTF-8 sequence split across pieces comes out as \u00XX escapes.
  JsonWriter& BeginString();
  JsonWriter& AppendString(absl::string_view piece);
  JsonWriter& EndString();

  // str returns the text written so far (since the last FlushTo).
  const std::string& str() const { return out_; }

  // FlushTo writes the text so far to `out` and forgets it, so output of
  // any size streams; the writer's state (open containers) is kept.
  void FlushTo(std::ostream& out);

 private:
  void BeforeValue();
  std::string out_;
  // One entry per open container: true once it holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// JsonQuote returns `s` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view s);

}  // namespace ipckit::json

#endif  // IPCKIT_LIB_JSON_JSON_WRITER_H_
