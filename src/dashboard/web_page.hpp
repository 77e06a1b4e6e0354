// The dashboard's page, from the files embedded in the binary
// (src/dashboard/web): served as separate files by the server, or inlined
// into one self-contained file for a report.
#pragma once

#include <string>
#include <string_view>

namespace dagger::detail {

// A file of the page by its path ("dashboard.js"); empty if there is none.
std::string_view web_file(std::string_view path);
// Its Content-Type.
std::string_view content_type_of(std::string_view path);
// index.html with its head pointing at the served files.
std::string served_page();
// index.html with every file inlined and `report_json` (a full message)
// as the data it shows.
std::string report_page(const std::string& report_json);

}  // namespace dagger::detail
