/* limits.h: every hard limit of moneytrail in one place.
 *
 * A limit that is hit is never a silent blow-up: input limits make a row a
 * reject with a reason, state limits are counted and reported in the run
 * summary. Change a number here and the whole program follows. */
#ifndef MT_LIMITS_H
#define MT_LIMITS_H

/* Input */
#define LIMIT_LINE_BYTES         (64 * 1024) /* longest CSV record, quotes included */
#define LIMIT_FIELD_BYTES        4096        /* longest single field */
#define LIMIT_FIELDS             64          /* most columns in one record */
#define LIMIT_TXID_BYTES         64          /* longest transaction id */
#define LIMIT_ACCOUNT_BYTES      128         /* longest account id (after joining parts) */
#define LIMIT_LABELS             8           /* label columns carried along per row */
#define LIMIT_SOURCES            1024        /* input files in one run */
#define LIMIT_MAX_ERRORS_DEFAULT 100         /* rejected rows tolerated by default */

/* Rule language */
#define LIMIT_RULE_FILE_BYTES    (4 * 1024 * 1024)
#define LIMIT_EXPR_DEPTH         64              /* nesting of expressions */
#define LIMIT_PROGRAM_STEPS      4096            /* steps in one compiled expression */
#define LIMIT_WINDOW_MAX_SECONDS (400LL * 86400) /* longest window a rule may use */
#define LIMIT_EXAMPLE_ROWS       1000            /* rows in one rule example */
#define LIMIT_EXPLAIN_BYTES      1024            /* rendered explanation sentence */

/* Engine state */
#define LIMIT_WINDOW_ENTRIES 4096 /* entries kept per account window; oldest dropped, counted */
#define LIMIT_ENTRY_FLAGS    24   /* aggregates of a rule whose condition a window entry carries */
#define LIMIT_EVIDENCE       100  /* transaction ids listed in one alert */
#define LIMIT_VM_STACK       64   /* evaluation stack of the interpreter */
#define LIMIT_EVICT_EVERY    262144 /* transactions between sweeps that free idle state */
#define LIMIT_SHARDS         64     /* engine threads (engine_shards.h), whatever --threads says */

/* Transaction graph (graph patterns) */
#define LIMIT_GRAPH_EDGES  (1u << 19) /* recent edges kept; the oldest is dropped, counted */
#define LIMIT_GRAPH_DEGREE 256        /* most recent in- and out-edges kept per account */
#define LIMIT_GRAPH_WORK   20000      /* edge visits per transaction and rule, then stop, counted */
#define LIMIT_GRAPH_MATCH  64         /* edges in one matched subgraph */
#define LIMIT_CYCLE_LENGTH 6          /* longest cycle or chain searched */
#define LIMIT_GRAPH_RULES  32         /* rules with 'match' in one rule set (a bit each per edge) */

#endif
