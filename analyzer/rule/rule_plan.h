/* rule_plan.h: the planner, inside rule/ only: from a rule's syntax trees
 * and compiled programs, how the engine runs it (RulePlan, and how each
 * RuleAgg is kept). Called by the parser as each clause and each rule is
 * complete; calls the compiler for the specialised filters. */
#ifndef MT_RULE_PLAN_H
#define MT_RULE_PLAN_H

#include "rule/rule_ast.h"

/* Plans r's compiled filter (the tree filter): the channels it can pass
 * by side and missing mcc, the account kinds, the account prefilter (its
 * "and" parts on fixed attributes), and the filter specialised for each
 * side and shape with its mcc and amount prefilters. */
void rule_plan_filter(RuleCtx *cx, AstNode *filter, Rule *r);
/* The candidate leads of r's compiled condition (the tree cond): its parts
 * joined by `and` that compare an aggregate with a constant. */
void rule_plan_leads(RuleCtx *cx, AstNode *cond, Rule *r);
/* Once r is read whole: how each aggregate is kept (entry flags, running
 * totals, counted distincts, their slots) and which leads the engine can
 * test without a walk of the window, running totals first. Reads the calls
 * of r's aggregates from cx->agg_calls. */
void rule_plan_rule(RuleCtx *cx, Rule *r);

#endif
