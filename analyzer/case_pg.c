/* case_pg.c: the investigator's query layer over the PostgreSQL store
 * (placeholder until the store's schema lands). */
#include "case.h"

CaseStore *case_pg_open(const CaseOpenOptions *o, GError **error)
{
    g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                "cannot open the database: '%s': this build has no database store yet", o->db);
    return NULL;
}
