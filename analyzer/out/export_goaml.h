/* export_goaml.h: a goAML suspicious transaction report (STR) draft.
 *
 * Element names and order follow the goAML XML schema (report header,
 * reporting_person, reason, action, transactions with from and to parties,
 * report_indicators). Reporting-entity details and the FIU's lookup codes
 * come from a key file (schema/goaml.conf.example): besides its groups,
 * [kyc] (contact_type, communication_type, address_type,
 * account_type_person, account_type_business, account_status) and
 * [institutions] (an account id or a country code = "Name; SWIFT", for
 * other banks' accounts). Our clients' accounts carry what the schema
 * requires of them: institution, branch, account type, status, the
 * signatory with the KYC phone and address. The subject is the
 * first account among the alerts that has an alert not tagged "possible
 * victim"; an account whose alerts are all tagged possible victim is never
 * the subject, and when every alert is, no report is written. */
#ifndef MT_EXPORT_GOAML_H
#define MT_EXPORT_GOAML_H

#include <glib.h>

#include "case/case.h"

typedef struct {
    GKeyFile *config;             /* borrowed */
    const char *entity_reference; /* NULL = "MT-" and the first alert id */
    const char *submission_date;  /* ISO 8601 "2024-06-01T10:00:00"; NULL = now */
} GoamlOptions;

/* Writes the report on alerts (CaseAlert *, borrowed) to xml. Returns FALSE
 * with error set (CASE_ERROR_USAGE when only possible victims remain). */
gboolean export_goaml(CaseStore *s, GPtrArray *alerts, const GoamlOptions *o, GString *xml,
                      GError **error);

#endif
