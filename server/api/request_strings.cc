#include "server/api/request_strings.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "server/util/status_macros.h"

namespace knob::api {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// A map key as a message shows it: escaped, and cut short when long.
constexpr size_t kShownKeyBytes = 32;

bool IsIdentifier(const FieldDescriptor& field) {
  const std::string& name = field.name();
  return name == "name" || name == "metric" || name == "parent" ||
         absl::EndsWith(name, "_id");
}

std::string ShownKey(absl::string_view key) {
  const bool cut = key.size() > kShownKeyBytes;
  return absl::StrCat("\"", absl::CHexEscape(key.substr(0, kShownKeyBytes)),
                      cut ? "…" : "", "\"");
}

absl::Status CheckText(absl::string_view path, absl::string_view text,
                       bool identifier) {
  if (const size_t nul = text.find('\0'); nul != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": contains a NUL character (byte ", nul,
                     "), which cannot be stored"));
  }
  if (identifier && text.size() > kMaxIdentifierBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", text.size(),
                                                   " bytes long, more than ",
                                                   kMaxIdentifierBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Message& message, const std::string& path);

// A field's value, or one element of a repeated field, at `path`.
absl::Status CheckValue(const Message& message, const FieldDescriptor& field,
                        int index, const std::string& path) {
  const Reflection& reflection = *message.GetReflection();
  std::string scratch;
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    if (field.type() == FieldDescriptor::TYPE_BYTES) return absl::OkStatus();
    const std::string& text =
        index < 0 ? reflection.GetStringReference(message, &field, &scratch)
                  : reflection.GetRepeatedStringReference(message, &field,
                                                          index, &scratch);
    return CheckText(path, text, IsIdentifier(field));
  }
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return CheckMessage(
        index < 0 ? reflection.GetMessage(message, &field)
                  : reflection.GetRepeatedMessage(message, &field, index),
        path);
  }
  return absl::OkStatus();
}

// One entry of the map field at `path`: a string key is an identifier;
// the value is checked at `path[key]`.
absl::Status CheckMapEntry(const Message& entry, const std::string& path) {
  const FieldDescriptor& key = *entry.GetDescriptor()->map_key();
  std::string shown_key;
  if (key.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    std::string scratch;
    const std::string& text =
        entry.GetReflection()->GetStringReference(entry, &key, &scratch);
    shown_key = ShownKey(text);
    RETURN_IF_ERROR(
        CheckText(absl::StrCat(path, " key ", shown_key), text, true));
  } else {
    google::protobuf::TextFormat::PrintFieldValueToString(entry, &key, -1,
                                                          &shown_key);
  }
  return CheckValue(entry, *entry.GetDescriptor()->map_value(), -1,
                    absl::StrCat(path, "[", shown_key, "]"));
}

absl::Status CheckMessage(const Message& message, const std::string& path) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string field_path =
        path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    if (field->is_map()) {
      for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
        RETURN_IF_ERROR(CheckMapEntry(
            reflection.GetRepeatedMessage(message, field, i), field_path));
      }
    } else if (field->is_repeated()) {
      for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
        RETURN_IF_ERROR(CheckValue(message, *field, i,
                                   absl::StrCat(field_path, "[", i, "]")));
      }
    } else {
      RETURN_IF_ERROR(CheckValue(message, *field, -1, field_path));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestStrings(const google::protobuf::Message& request) {
  return CheckMessage(request, "");
}

}  // namespace knob::api
