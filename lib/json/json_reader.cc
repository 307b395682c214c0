#include "lib/json/json_reader.h"

#include <stdint.h>
#include <stdlib.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ipckit::json {

const Value* Value::Find(absl::string_view key) const {
  const Value* found = nullptr;
  for (const auto& [k, v] : object_) {
    if (k == key) found = &v;
  }
  return found;
}

const char* Value::TypeName(Type t) {
  switch (t) {
    case kNull: return "null";
    case kBool: return "true or false";
    case kNumber: return "a number";
    case kString: return "a string";
    case kArray: return "an array";
    case kObject: return "an object";
  }
  return "?";
}

// Parser is a recursive-descent reader over `text`; the first error stops it.
class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<Value> Document() {
    Value v;
    if (!ParseValue(v, 0)) return error_;
    SkipSpace();
    if (pos_ != text_.size()) {
      Fail("unexpected text after the value");
      return error_;
    }
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  // Fail records the first error at the current position; it returns false.
  bool Fail(absl::string_view what) {
    int line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    error_ = absl::InvalidArgumentError(absl::StrCat("line ", line, " column ", column, ": ", what));
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool ParseValue(Value& v, int depth) {
    SkipSpace();
    if (pos_ >= text_.size()) return Fail("expected a value, found the end");
    char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= kMaxDepth) return Fail("nested more than 64 deep");
      return c == '{' ? ParseObject(v, depth + 1) : ParseArray(v, depth + 1);
    }
    if (c == '"') {
      v.type_ = Value::kString;
      return ParseString(v.string_);
    }
    if (Literal("true") || Literal("false")) {
      v.type_ = Value::kBool;
      v.boolean_ = c == 't';
      return true;
    }
    if (Literal("null")) return true;
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(v);
    return Fail("expected a value");
  }

  bool ParseNumber(Value& v) {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return Fail("expected digits");
    }
    if (pos_ < text_.size() && text_[pos_] == '.' && (++pos_, !digits())) return Fail("expected digits");
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return Fail("expected digits");
    }
    v.type_ = Value::kNumber;
    v.number_ = strtod(std::string(text_.substr(start, pos_ - start)).c_str(), nullptr);
    return true;
  }

  bool Hex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return Fail("expected 4 hex digits");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) return Fail("expected 4 hex digits");
      out = out * 16 + static_cast<uint32_t>(d);
    }
    return true;
  }

  static void Utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool Escape(std::string& out) {
    if (pos_ >= text_.size()) return Fail("an unfinished escape");
    char e = text_[pos_++];
    switch (e) {
      case '"': case '\\': case '/': out += e; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return Fail("an unknown escape");
    }
    uint32_t cp = 0;
    if (!Hex4(cp)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {  // A high surrogate: its low half must follow.
      uint32_t low = 0;
      if (!Literal("\\u") || !Hex4(low) || low < 0xDC00 || low > 0xDFFF) return Fail("an unpaired surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Fail("an unpaired surrogate");
    }
    Utf8(out, cp);
    return true;
  }

  bool ParseString(std::string& out) {
    ++pos_;  // The opening quote.
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("a control character in a string");
      if (c != '\\') {
        out += c;
      } else if (!Escape(out)) {
        return false;
      }
    }
    return Fail("an unterminated string");
  }

  bool ParseArray(Value& v, int depth) {
    v.type_ = Value::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
    for (;;) {
      v.array_.emplace_back();
      if (!ParseValue(v.array_.back(), depth)) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < text_.size() && text_[pos_] == ']') {
        return ++pos_, true;
      } else {
        return Fail("expected ',' or ']' in an array");
      }
    }
  }

  bool ParseObject(Value& v, int depth) {
    v.type_ = Value::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a member name in quotes");
      std::string key;
      if (!ParseString(key)) return false;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Fail("expected ':' after a member name");
      ++pos_;
      v.object_.emplace_back(std::move(key), Value());
      if (!ParseValue(v.object_.back().second, depth)) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < text_.size() && text_[pos_] == '}') {
        return ++pos_, true;
      } else {
        return Fail("expected ',' or '}' in an object");
      }
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
  absl::Status error_;
};

absl::StatusOr<Value> ParseJson(absl::string_view text) { return Parser(text).Document(); }

}  // namespace ipckit::json
