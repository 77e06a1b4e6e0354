// Zarr v2 groups and attributes, as Python's zarr reads and writes them: a
// group is a directory with `.zgroup` holding arrays and groups; any array
// or group may carry `.zattrs` (a JSON object); a group's consolidated
// metadata (`.zmetadata`) gathers every member's metadata in one file.
// Attributes travel as JSON text, so callers use whichever JSON library
// they like. An array inside a group is loaded by its path, as any other:
// `dagger::load<double>("store.zarr/run1/temperature")`.
#pragma once

#include <string>
#include <vector>

namespace dagger {

struct ZarrMember {
  enum class Kind { array, group };
  std::string path;  // relative to the group, '/' between levels: "run1/temperature"
  Kind kind;
};

// Makes `path` a group (`.zgroup`, `.zattrs` {}); its parent must exist.
// A group already there is left as it is; anything else there is an error.
void create_group(const std::string& path);

// Every array and group below `path`, at every depth, sorted by path: from
// the group's consolidated metadata when it has some, else from its
// directories. A directory that is neither (or a hidden one) is skipped.
std::vector<ZarrMember> group_members(const std::string& path);

// Writes the group's `.zmetadata` as `zarr.consolidate_metadata` does:
// the `.zgroup`, `.zarray` and `.zattrs` of the group and of everything
// below it, so that `zarr.open_consolidated` reads one file. Later changes
// under the group are not in it until this runs again.
void consolidate_metadata(const std::string& group);

// The `.zattrs` of an array or group as JSON text ("{}" when it has none).
std::string attributes(const std::string& path);

// Replaces the `.zattrs` of an array or group, atomically (a reader sees
// the old or the new text). `json_object` must be a JSON object: anything
// else is a UsageError. A later save over the array starts from `{}`.
void set_attributes(const std::string& path, const std::string& json_object);

}  // namespace dagger
