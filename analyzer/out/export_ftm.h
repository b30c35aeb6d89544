/* export_ftm.h: FollowTheMoney entities as JSON Lines for Aleph.
 *
 * Each account becomes a BankAccount (accountNumber, openingDate; a
 * foreign account its country from the transaction); its KYC holder a
 * Person or a Company (by the KYC kind), an account without KYC a
 * LegalEntity "holder of ACCOUNT", linked by an Ownership (owner, asset);
 * each transaction a Payment (payer, payerAccount,
 * beneficiary, beneficiaryAccount, amount, currency, date, purpose,
 * transactionNumber, summary); cash has the holder of its one account as
 * both payer and beneficiary, as the model requires both. Property names are those of the
 * FollowTheMoney schema; every value is a list of strings. Ids are stable:
 * "mt-" and a hash of what the entity stands for, so a re-export merges. */
#ifndef MT_EXPORT_FTM_H
#define MT_EXPORT_FTM_H

#include <glib.h>

#include "case/case.h"

typedef struct ExportFtm ExportFtm;

/* Starts an export writing lines to out (borrowed until export_ftm_free). */
ExportFtm *export_ftm_new(CaseStore *s, GString *out);
void export_ftm_free(ExportFtm *x);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ExportFtm, export_ftm_free)
/* Adds an account (its holder and bank account) once. */
void export_ftm_account(ExportFtm *x, const char *account);
/* Adds a payment and both its accounts; summary may be NULL. */
void export_ftm_payment(ExportFtm *x, const CaseTx *t, const char *summary);
/* Entities written so far. */
guint export_ftm_count(const ExportFtm *x);

#endif
