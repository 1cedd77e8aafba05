cmake_minimum_required(VERSION 3.25)

# Writes OUTPUT, a C++ source defining knob::EmbeddedMigrations() (declared
# in server/storage/postgres/embedded_migrations.h) from the NNNN_name.sql
# files in SOURCE_DIR, ordered by version.
#   cmake -DSOURCE_DIR=... -DOUTPUT=... -P embed_migrations.cmake

file(GLOB files "${SOURCE_DIR}/*.sql")
list(SORT files)

set(entries "")
set(versions "")
foreach(file IN LISTS files)
  get_filename_component(base "${file}" NAME)
  if(NOT base MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR
      "migrations/${base}: migration files are named NNNN_name.sql "
      "(four digits, then lowercase letters, digits and underscores)")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  if(version IN_LIST versions)
    message(FATAL_ERROR "migrations/${base}: version ${version} is taken")
  endif()
  list(APPEND versions ${version})

  file(READ "${file}" sql)
  # The SQL goes into a raw string literal with this delimiter.
  string(FIND "${sql}" ")knob_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migrations/${base} contains )knob_sql\"")
  endif()
  string(APPEND entries
    "      {${version}, \"${name}\", R\"knob_sql(${sql})knob_sql\"},\n")
endforeach()

set(content "// Generated from migrations/*.sql by embed_migrations.cmake.
#include \"server/storage/postgres/embedded_migrations.h\"

namespace knob {

const std::vector<Migration>& EmbeddedMigrations() {
  static const std::vector<Migration>* const migrations =
      new std::vector<Migration>{
${entries}      };
  return *migrations;
}

}  // namespace knob
")

file(WRITE "${OUTPUT}.tmp" "${content}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
