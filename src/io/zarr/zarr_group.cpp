#include "dagger/array/zarr_group.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "core/file_io.hpp"
#include "dagger/errors.hpp"

namespace dagger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool is_group(const std::string& dir) { return exists(dir + "/.zgroup"); }
bool is_array(const std::string& dir) { return exists(dir + "/.zarray"); }

void require_group(const std::string& dir) {
  if (!exists(dir)) storage::throw_errno(dir, "no group here", ENOENT);
  if (!is_group(dir)) throw StorageError(dir + "/.zgroup", "missing: the directory is not a Zarr group");
}

void require_node(const std::string& path) {
  if (!exists(path)) storage::throw_errno(path, "no array or group here", ENOENT);
  if (!is_group(path) && !is_array(path)) {
    throw StorageError(path, "not a Zarr array or group (neither .zarray nor .zgroup)");
  }
}

json read_json(const std::string& file) {
  try {
    return json::parse(storage::read_text(file));
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number too large
    throw StorageError(file, std::string("is not valid JSON: ") + e.what());
  }
}

// Writes `text` under a temporary name beside `file`, then renames it over
// `file`: a reader sees the old or the new contents, never a mix.
void replace_file(const std::string& file, const std::string& text) {
  std::random_device random;
  const std::string temporary = file + ".writing-" + std::to_string(::getpid()) + "-" + std::to_string(random());
  storage::write_file(temporary, text);
  if (std::rename(temporary.c_str(), file.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    storage::throw_errno(file, "cannot replace", error);
  }
  storage::sync_directory(fs::path(file).parent_path().string());
}

// The members below `dir` found by walking its directories; `prefix` is
// dir's path relative to the group walked from.
void walk(const std::string& dir, const std::string& prefix, std::vector<ZarrMember>& out) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::error_code kind_error;
    if (name.empty() || name[0] == '.' || !entry.is_directory(kind_error)) continue;
    const std::string path = entry.path().string();
    const std::string relative = prefix.empty() ? name : prefix + "/" + name;
    if (is_array(path)) {
      out.push_back({relative, ZarrMember::Kind::array});
    } else if (is_group(path)) {
      out.push_back({relative, ZarrMember::Kind::group});
      walk(path, relative, out);
    }
  }
  if (ec) storage::throw_errno(dir, "cannot list directory", ec.value());
}

// The members a consolidated `.zmetadata` names: keys "a/b/.zarray" and
// "a/.zgroup" (the group's own ".zgroup" is not a member).
std::vector<ZarrMember> consolidated_members(const std::string& file) {
  const json z = read_json(file);
  if (!z.is_object() || !z.contains("metadata") || !z.at("metadata").is_object()) {
    throw StorageError(file, "is not consolidated Zarr metadata (no \"metadata\" object)");
  }
  std::vector<ZarrMember> out;
  for (const auto& [key, value] : z.at("metadata").items()) {
    for (const auto& [suffix, kind] : {std::pair{std::string("/.zarray"), ZarrMember::Kind::array},
                                       std::pair{std::string("/.zgroup"), ZarrMember::Kind::group}}) {
      if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back({key.substr(0, key.size() - suffix.size()), kind});
      }
    }
  }
  return out;
}

void sort_by_path(std::vector<ZarrMember>& members) {
  std::sort(members.begin(), members.end(), [](const ZarrMember& a, const ZarrMember& b) { return a.path < b.path; });
}

}  // namespace

void create_group(const std::string& path) {
  if (path.empty()) throw StorageError(path, "empty path");
  if (is_group(path)) return;
  if (exists(path)) {
    std::error_code ec;
    if (!fs::is_directory(path, ec) || !fs::is_empty(path, ec)) {
      throw StorageError(path, "exists and is not a Zarr group (nor an empty directory)");
    }
  } else {
    storage::make_directory(path);
  }
  storage::write_file(path + "/.zattrs", std::string("{}\n"));
  // .zgroup last: a crash before it leaves a directory that is no group.
  storage::write_file(path + "/.zgroup", json{{"zarr_format", 2}}.dump(4) + "\n");
  storage::sync_directory(path);
  storage::sync_directory(fs::path(path).parent_path().string().empty() ? "." : fs::path(path).parent_path().string());
}

std::vector<ZarrMember> group_members(const std::string& path) {
  require_group(path);
  std::vector<ZarrMember> members;
  if (exists(path + "/.zmetadata")) {
    members = consolidated_members(path + "/.zmetadata");
  } else {
    walk(path, "", members);
  }
  sort_by_path(members);
  return members;
}

void consolidate_metadata(const std::string& group) {
  require_group(group);
  std::vector<ZarrMember> members;
  walk(group, "", members);
  json metadata = json::object();
  auto add = [&](const std::string& relative, const char* name) {
    const std::string file = (relative.empty() ? group : group + "/" + relative) + "/" + name;
    if (exists(file)) metadata[relative.empty() ? name : relative + "/" + name] = read_json(file);
  };
  add("", ".zgroup");
  add("", ".zattrs");
  for (const ZarrMember& m : members) {
    add(m.path, m.kind == ZarrMember::Kind::array ? ".zarray" : ".zgroup");
    add(m.path, ".zattrs");
  }
  replace_file(group + "/.zmetadata",
               json{{"metadata", metadata}, {"zarr_consolidated_format", 1}}.dump(4) + "\n");
}

std::string attributes(const std::string& path) {
  require_node(path);
  const std::string file = path + "/.zattrs";
  if (!exists(file)) return "{}";
  const json z = read_json(file);
  if (!z.is_object()) throw StorageError(file, "is not a JSON object");
  return z.dump();
}

void set_attributes(const std::string& path, const std::string& json_object) {
  json z;
  try {
    z = json::parse(json_object);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number too large
    throw UsageError("set_attributes(\"" + path + "\"): the attributes are not valid JSON: " + e.what());
  }
  if (!z.is_object()) throw UsageError("set_attributes(\"" + path + "\"): the attributes must be a JSON object, not " + json_object);
  require_node(path);
  replace_file(path + "/.zattrs", z.dump(4) + "\n");
}

}  // namespace dagger
