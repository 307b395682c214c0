// json_reader.h reads JSON text (RFC 8259) into a Value tree, for the few
// files ipckit reads (tlsprobe's --policy-file). Strict: one value, no
// trailing commas or comments, \u escapes with surrogate pairs, nesting at
// most 64 deep. Errors say where:
//   "line 3 column 14: expected ',' or '}' in an object"
//
//   absl::StatusOr<Value> v = ParseJson(text);
//   if (!v.ok()) return v.status();
//   if (const Value* name = v->Find("name"); name && name->is_string()) ...
//
// Threads: ParseJson is pure: any thread.
#ifndef IPCKIT_LIB_JSON_JSON_READER_H_
#define IPCKIT_LIB_JSON_JSON_READER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipckit::json {

class Value {
 public:
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == kNull; }
  bool is_bool() const { return type_ == kBool; }
  bool is_number() const { return type_ == kNumber; }
  bool is_string() const { return type_ == kString; }
  bool is_array() const { return type_ == kArray; }
  bool is_object() const { return type_ == kObject; }

  // Accessors return the value, or a zero value of the type when the Value
  // is of another type.
  bool boolean() const { return boolean_; }
  double number() const { return number_; }
  const std::string& string() const { return string_; }
  const std::vector<Value>& array() const { return array_; }
  const std::vector<std::pair<std::string, Value>>& object() const { return object_; }

  // Find returns the member `key` of an object (the last, if repeated), or
  // nullptr.
  const Value* Find(absl::string_view key) const;

  // TypeName is "null", "true or false", "a number", "a string", "an array"
  // or "an object", for error messages.
  static const char* TypeName(Type t);

 private:
  friend class Parser;
  Type type_ = kNull;
  bool boolean_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Value> array_;
  std::vector<std::pair<std::string, Value>> object_;
};

// ParseJson returns the one value `text` holds, or kInvalidArgument with the
// line and column of the first error.
absl::StatusOr<Value> ParseJson(absl::string_view text);

}  // namespace ipckit::json

#endif  // IPCKIT_LIB_JSON_JSON_READER_H_
