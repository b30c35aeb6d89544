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
#define LIMIT_STMT_SEEN                                                                            \
    (4u << 20)             /* statement payments remembered for duplicates                         \
                            * (2 generations of this many, 8 bytes each) */
#define LIMIT_XML_DEPTH 64 /* element nesting of a statement or report */
/* Plausible event times: a row dated after the run time plus this, or
 * before the earliest date, is rejected (one row dated 2204 would
 * otherwise blind every later incremental run; one dated 0001 makes every
 * later row late). */
#define LIMIT_TS_FUTURE_SECONDS (2LL * 86400) /* ahead of the clock: time zones, value dates */
#define LIMIT_TS_EARLIEST       631152000LL   /* 1990-01-01T00:00:00Z, by default */
#define LIMIT_DEDUP_IDS         (1u << 18)    /* tx_ids kept to find copies (read/dedup.h) */
/* Largest amount accepted, in minor units: 10^15 (ten trillion in a
 * currency of cents); larger ones are rejected. A window holds at most
 * LIMIT_WINDOW_ENTRIES amounts, and 4096 * 10^15 < INT64_MAX (9.2 * 10^18),
 * so the running sums of window_agg.c are exact in int64 and cannot
 * overflow (a static assertion there checks it). */
#define LIMIT_AMOUNT_MINOR 1000000000000000LL

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
/* The graph keeps every edge of its longest window; only past
 * LIMIT_GRAPH_EDGES_MAX edges within it (a guard for memory: 48 bytes an
 * edge and 24 in each account index) is the oldest dropped, counted. */
#define LIMIT_GRAPH_EDGES_MAX (1ull << 26)
#define LIMIT_GRAPH_DEGREE    256   /* an account index past this many edges is a hub (summary) */
#define LIMIT_GRAPH_WORK      20000 /* edge visits per transaction and rule, then stop, counted */
#define LIMIT_GRAPH_MATCH     64    /* edges in one matched subgraph */
#define LIMIT_CYCLE_LENGTH    10    /* longest cycle or chain searched */
#define LIMIT_GRAPH_RULES     32    /* rules with 'match' in one rule set (a bit each per edge) */

#endif
