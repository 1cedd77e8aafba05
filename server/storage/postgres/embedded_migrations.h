// The schema migrations (migrations/NNNN_name.sql), compiled into the
// binary so that the server needs no files at run time to set up or upgrade
// its database. The sources are generated at build time by
// migrations/embed_migrations.cmake (library knob_migrations).
#ifndef KNOB_SERVER_STORAGE_POSTGRES_EMBEDDED_MIGRATIONS_H_
#define KNOB_SERVER_STORAGE_POSTGRES_EMBEDDED_MIGRATIONS_H_

#include <string_view>
#include <vector>

namespace knob {

struct Migration {
  // NNNN of the file name; versions are unique.
  int version = 0;
  // The file name between "NNNN_" and ".sql".
  std::string_view name;
  // The file's contents: statements run in one transaction.
  std::string_view sql;
};

// Every migration, ordered by version. Thread-safe.
const std::vector<Migration>& EmbeddedMigrations();

}  // namespace knob

#endif  // KNOB_SERVER_STORAGE_POSTGRES_EMBEDDED_MIGRATIONS_H_
