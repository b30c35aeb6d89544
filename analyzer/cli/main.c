/* main.c: moneytrail's entry point: dispatches to a subcommand, nothing else. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static const Command commands[] = {
    {"scan", "stream transaction exports through the rules and write alerts", cmd_scan},
    {"split", "read the data once for the shards of a cluster run (scan --shard K/N FILE)",
     cmd_split},
    {"merge", "join the alert files of sharded scans (scan --shard) into one run's", cmd_merge},
    {"rules", "check, test or explain rule files", cmd_rules},
    {"load", "load transaction exports and accounts into PostgreSQL", cmd_load},
    {"db", "create or upgrade the PostgreSQL schema, show its status", cmd_db},
    {"backtest", "count what the rules find in labelled data: precision, recall, workload",
     cmd_backtest},
    {"cases", "the queue: alerts grouped per customer, ranked by decayed score", cmd_cases},
    {"alerts", "list alerts, newest first, filtered by rule, typology, time, score, status",
     cmd_alerts},
    {"alert", "explain one alert with its evidence; record triage with --status", cmd_alert},
    {"account", "one account: KYC, alerts, money in and out, counterparties, periods", cmd_account},
    {"trace", "follow the money an account sent or received along time-respecting paths",
     cmd_trace},
    {"graph", "draw the money around an account (Graphviz SVG or DOT)", cmd_graph},
    {"report", "write a self-contained HTML case file on an account", cmd_report},
    {"export", "hand a case on: goAML STR draft XML, FollowTheMoney entities", cmd_export},
};

static int usage(FILE *out)
{
    fprintf(out, "usage: moneytrail COMMAND [OPTIONS] ...\n\ncommands:\n");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'moneytrail COMMAND --help' describes a command's options.\n");
    return out == stdout ? EXIT_OK : EXIT_USAGE;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C");
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "moneytrail: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
