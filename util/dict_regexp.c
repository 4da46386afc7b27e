/*
 * dict_regexp.c - the regexp: table, Postfix regexp_table(5) syntax.
 *
 * Rules are read once, in order, from the table file:
 *	/pattern/flags result		found when the pattern matches
 *	!/pattern/flags result		found when it does not
 *	if /pattern/flags ... endif	the rules inside apply only when the
 *	if !/pattern/flags ... endif	pattern matches (or does not)
 * The first rule that matches gives the result, in which $1..$9 (or
 * ${1}..${99}) are replaced by the text of that subexpression and $$ by
 * a dollar sign. Patterns are POSIX extended regular expressions from
 * libc, case-insensitive; flags toggle: i (case), x (extended syntax),
 * m (newline is special). Any non-alphanumeric character may stand in
 * for "/". Comments, blank lines and continuation lines are as in every
 * table source (table_src.c). A bad line makes the whole table fail to
 * open with "path:line: reason"; so does an unbalanced if/endif.
 */
#include <string.h>
#include <ctype.h>
#include <regex.h>

#include "dict.h"
#include "table_src.h"
#include "mymalloc.h"
#include "msg.h"

#define DICT_REGEXP_RESULT_MAX	(1024 * 1024)	/* expanded result */
#define DICT_REGEXP_NSUB_MAX	99
#define DICT_REGEXP_DEPTH_MAX	32	/* nested ( ) */
#define DICT_REGEXP_DUP_MAX	255	/* {m,n} bound */

#define RULE_MATCH	1
#define RULE_IF		2
#define RULE_ENDIF	3

struct dict_regexp_rule {
    int     kind;			/* RULE_* */
    int     negate;			/* !/pattern/ */
    regex_t re;				/* MATCH and IF */
    char   *result;			/* MATCH only */
    size_t  endif;			/* IF: index of its ENDIF */
    int     lineno;			/* for messages */
};

struct dict_regexp {
    struct dict dict;			/* generic members, first */
    struct dict_regexp_rule *rules;
    size_t  count;
    size_t  max_nsub;			/* largest re_nsub of any rule */
    regmatch_t *pmatch;			/* max_nsub + 1 entries */
};

static int dict_regexp_lookup(struct dict *, const char *, struct vstr *);
static void dict_regexp_close(struct dict *);

 /*
  * libc's regcomp() takes exponential time or overflows its stack on some
  * patterns that POSIX leaves undefined anyway (two repetition operators
  * in a row, "a**") or that no mail rule needs (huge {m,n} bounds, deep
  * nesting). dict_regexp_sane() refuses those before regcomp() sees them.
  */

/* dict_regexp_bracket - skip a bracket expression; returns its last char */

static const char *
dict_regexp_bracket(const char *cp)
{
    const char *end;

    cp++;					/* the '[' */
    if (*cp == '^')
	cp++;
    if (*cp == ']')
	cp++;					/* a literal ']' */
    for (; *cp && *cp != ']'; cp++) {
	if (*cp == '[' && (cp[1] == ':' || cp[1] == '.' || cp[1] == '=')) {
	    char    close[3] = {cp[1], ']', 0};

	    if ((end = strstr(cp + 2, close)) == 0)
		return (0);
	    cp = end + 1;
	}
    }
    return (*cp ? cp : 0);
}

/* dict_regexp_sane - refuse patterns that libc handles badly */

static int
dict_regexp_sane(const char *pat, struct vstr *why)
{
    const char *cp;
    int     depth = 0;
    int     after_dup = 0;
    unsigned long n;

    for (cp = pat; *cp; cp++) {
	if (*cp == '*' || *cp == '+' || *cp == '?' || *cp == '{') {
	    if (after_dup) {
		vstr_strcpy(why, "two repetition operators in a row");
		return (-1);
	    }
	    after_dup = 1;
	    if (*cp != '{')
		continue;
	    for (n = 0; *++cp && (isdigit((unsigned char) *cp) || *cp == ','); ) {
		n = isdigit((unsigned char) *cp) ? n * 10 + (*cp - '0') : 0;
		if (n > DICT_REGEXP_DUP_MAX) {
		    vstr_sprintf(why, "repetition count over %d", DICT_REGEXP_DUP_MAX);
		    return (-1);
		}
	    }
	    if (*cp != '}') {
		after_dup = 0;			/* not a bound: a literal '{' */
		cp--;
	    }
	    continue;
	}
	after_dup = 0;
	if (*cp == '\\' && cp[1]) {
	    cp++;
	} else if (*cp == '[') {
	    if ((cp = dict_regexp_bracket(cp)) == 0)
		return (0);			/* let regcomp() complain */
	} else if (*cp == '(' && ++depth > DICT_REGEXP_DEPTH_MAX) {
	    vstr_sprintf(why, "more than %d nested ( )", DICT_REGEXP_DEPTH_MAX);
	    return (-1);
	} else if (*cp == ')' && depth > 0) {
	    depth--;
	}
    }
    return (0);
}

/* dict_regexp_pattern - parse "/pattern/flags" at *cpp and compile it */

static int
dict_regexp_pattern(const char **cpp, struct dict_regexp_rule *rule,
		            struct vstr *why)
{
    const char *cp = *cpp;
    struct vstr *pat;
    int     delim;
    int     cflags = REG_EXTENDED | REG_ICASE;
    int     err;
    char    errbuf[200];

    if (*cp == '!') {
	rule->negate = 1;
	cp++;
    }
    delim = (unsigned char) *cp;
    if (delim == 0 || isalnum(delim) || isspace(delim) || delim == '\\') {
	vstr_strcpy(why, "expected /pattern/");
	return (-1);
    }
    pat = vstr_alloc(64);
    for (cp++; *cp && *cp != delim; cp++) {
	if (*cp == '\\' && cp[1] != 0)
	    vstr_addch(pat, *cp++);
	vstr_addch(pat, *cp);
    }
    if (*cp != delim) {
	vstr_sprintf(why, "missing closing '%c' of the pattern", delim);
	vstr_free(pat);
	return (-1);
    }
    for (cp++; *cp && !isspace((unsigned char) *cp); cp++) {
	if (*cp == 'i')
	    cflags ^= REG_ICASE;
	else if (*cp == 'x')
	    cflags ^= REG_EXTENDED;
	else if (*cp == 'm')
	    cflags ^= REG_NEWLINE;
	else {
	    vstr_sprintf(why, "unknown pattern flag '%c' (expected i, x or m)",
			 isprint((unsigned char) *cp) ? *cp : '?');
	    vstr_free(pat);
	    return (-1);
	}
    }
    if ((cflags & REG_EXTENDED) && dict_regexp_sane(vstr_str(pat), why) < 0) {
	vstr_free(pat);
	return (-1);
    }
    if ((err = regcomp(&rule->re, vstr_str(pat), cflags)) != 0) {
	(void) regerror(err, &rule->re, errbuf, sizeof(errbuf));
	vstr_sprintf(why, "bad regular expression /%.100s/: %s",
		     vstr_str(pat), errbuf);
	vstr_free(pat);
	return (-1);
    }
    vstr_free(pat);
    if (rule->re.re_nsub > DICT_REGEXP_NSUB_MAX) {
	regfree(&rule->re);
	vstr_sprintf(why, "more than %d subexpressions", DICT_REGEXP_NSUB_MAX);
	return (-1);
    }
    *cpp = cp;
    return (0);
}

/* dict_regexp_check_result - every $ must be $$, $N or ${N}, N in range */

static int
dict_regexp_check_result(const char *text, size_t nsub, int negate,
			         struct vstr *why)
{
    const char *cp;
    unsigned long n;

    for (cp = text; (cp = strchr(cp, '$')) != 0; ) {
	cp++;
	if (*cp == '$') {
	    cp++;
	    continue;
	}
	if (*cp == '{' && isdigit((unsigned char) cp[1])) {
	    for (n = 0, cp++; isdigit((unsigned char) *cp) && n <= 100; cp++)
		n = n * 10 + (*cp - '0');
	    if (*cp++ != '}') {
		vstr_strcpy(why, "bad ${number} in result");
		return (-1);
	    }
	} else if (isdigit((unsigned char) *cp)) {
	    n = *cp++ - '0';
	} else {
	    vstr_strcpy(why, "'$' in result must be followed by $, a digit or {digits}");
	    return (-1);
	}
	if (negate) {
	    vstr_strcpy(why, "$number in the result of a negated pattern");
	    return (-1);
	}
	if (n == 0 || n > nsub) {
	    vstr_sprintf(why, "out-of-range substitution $%lu (pattern has %zu)",
			 n, nsub);
	    return (-1);
	}
    }
    return (0);
}

/* dict_regexp_parse_line - one logical line into one rule */

static int
dict_regexp_parse_line(const char *line, struct dict_regexp_rule *rule,
		               struct vstr *why)
{
    const char *cp = line;
    const char *end;

    memset(rule, 0, sizeof(*rule));
    if (strncmp(cp, "endif", 5) == 0 && (cp[5] == 0 || isspace((unsigned char) cp[5]))) {
	for (cp += 5; isspace((unsigned char) *cp); cp++)
	     /* void */ ;
	if (*cp != 0) {
	    vstr_strcpy(why, "text after endif");
	    return (-1);
	}
	rule->kind = RULE_ENDIF;
	return (0);
    }
    rule->kind = RULE_MATCH;
    if (strncmp(cp, "if", 2) == 0 && isspace((unsigned char) cp[2])) {
	rule->kind = RULE_IF;
	for (cp += 2; isspace((unsigned char) *cp); cp++)
	     /* void */ ;
    }
    if (dict_regexp_pattern(&cp, rule, why) < 0)
	return (-1);
    while (isspace((unsigned char) *cp))
	cp++;
    for (end = cp + strlen(cp); end > cp && isspace((unsigned char) end[-1]); end--)
	 /* void */ ;
    if (rule->kind == RULE_IF && end > cp) {
	vstr_strcpy(why, "text after \"if /pattern/\"");
    } else if (rule->kind == RULE_MATCH && end == cp) {
	vstr_strcpy(why, "no result after the pattern");
    } else {
	rule->result = mystrndup(cp, end - cp);
	if (dict_regexp_check_result(rule->result, rule->re.re_nsub,
				     rule->negate, why) == 0)
	    return (0);
	myfree(rule->result);
	rule->result = 0;
    }
    regfree(&rule->re);
    return (-1);
}

/* dict_regexp_load - read every rule; pair each if with its endif */

static int
dict_regexp_load(struct dict_regexp *dr, struct table_src *src, struct vstr *why)
{
    struct vstr *line = vstr_alloc(256);
    struct vstr *err = vstr_alloc(64);
    struct dict_regexp_rule rule;
    size_t *stack = 0;
    size_t  depth = 0;
    int     st;

    while ((st = table_src_read(src, line, why)) == TABLE_SRC_OK) {
	if (dict_regexp_parse_line(vstr_str(line), &rule, err) < 0) {
	    vstr_sprintf(why, "%.200s:%d: %s", table_src_path(src),
			 table_src_lineno(src), vstr_str(err));
	    st = TABLE_SRC_ERR;
	    break;
	}
	rule.lineno = table_src_lineno(src);
	if (rule.kind == RULE_IF) {
	    stack = myrealloc(stack, (depth + 1) * sizeof(*stack));
	    stack[depth++] = dr->count;
	} else if (rule.kind == RULE_ENDIF) {
	    if (depth == 0) {
		vstr_sprintf(why, "%.200s:%d: endif without matching if",
			     table_src_path(src), table_src_lineno(src));
		st = TABLE_SRC_ERR;
		break;
	    }
	    dr->rules[stack[--depth]].endif = dr->count;
	}
	if (rule.kind != RULE_ENDIF && rule.re.re_nsub > dr->max_nsub)
	    dr->max_nsub = rule.re.re_nsub;
	dr->rules = myrealloc(dr->rules, (dr->count + 1) * sizeof(rule));
	dr->rules[dr->count++] = rule;
    }
    if (st == TABLE_SRC_EOF && depth > 0) {
	vstr_sprintf(why, "%.200s:%d: if without matching endif",
		     table_src_path(src), dr->rules[stack[depth - 1]].lineno);
	st = TABLE_SRC_ERR;
    }
    if (stack)
	myfree(stack);
    vstr_free(line);
    vstr_free(err);
    return (st == TABLE_SRC_EOF ? 0 : -1);
}

/* dict_regexp_expand - the result with $N replaced */

static int
dict_regexp_expand(struct dict_regexp *dr, const char *text, const char *key,
		           struct vstr *result)
{
    const char *cp;
    regmatch_t *m;
    unsigned long n;

    vstr_reset(result);
    for (cp = text; *cp; cp++) {
	if (*cp != '$') {
	    vstr_addch(result, *cp);
	    continue;
	}
	if (*++cp == '$') {
	    vstr_addch(result, '$');
	    continue;
	}
	if (*cp == '{') {
	    for (n = 0, cp++; isdigit((unsigned char) *cp); cp++)
		n = n * 10 + (*cp - '0');
	} else {
	    n = *cp - '0';
	}
	/* Checked when the table was loaded: 1 <= n <= re_nsub. */
	m = dr->pmatch + n;
	if (m->rm_so >= 0 && m->rm_eo >= m->rm_so)
	    vstr_memcat(result, key + m->rm_so, m->rm_eo - m->rm_so);
	if (vstr_len(result) > DICT_REGEXP_RESULT_MAX) {
	    vstr_sprintf(dr->dict.reason, "regexp:%.200s: result too long",
			 dr->dict.name);
	    return (DICT_ERROR);
	}
    }
    return (DICT_FOUND);
}

/* dict_regexp_lookup - first matching rule wins */

static int
dict_regexp_lookup(struct dict *dict, const char *key, struct vstr *result)
{
    struct dict_regexp *dr = (struct dict_regexp *) dict;
    struct dict_regexp_rule *rule;
    size_t  i;
    int     err;

    for (i = 0; i < dr->count; i++) {
	rule = dr->rules + i;
	if (rule->kind == RULE_ENDIF)
	    continue;
	err = regexec(&rule->re, key, rule->re.re_nsub + 1, dr->pmatch, 0);
	if (err != 0 && err != REG_NOMATCH) {
	    vstr_sprintf(dict->reason, "regexp:%.200s: regexec error %d",
			 dict->name, err);
	    return (DICT_ERROR);
	}
	if ((err == 0) == (rule->negate != 0)) {
	    if (rule->kind == RULE_IF)
		i = rule->endif;
	    continue;
	}
	if (rule->kind == RULE_MATCH)
	    return (dict_regexp_expand(dr, rule->result, key, result));
    }
    return (DICT_NOTFOUND);
}

/* dict_regexp_close - free every rule */

static void
dict_regexp_close(struct dict *dict)
{
    struct dict_regexp *dr = (struct dict_regexp *) dict;
    size_t  i;

    for (i = 0; i < dr->count; i++) {
	if (dr->rules[i].kind != RULE_ENDIF)
	    regfree(&dr->rules[i].re);
	if (dr->rules[i].result)
	    myfree(dr->rules[i].result);
    }
    if (dr->rules)
	myfree(dr->rules);
    if (dr->pmatch)
	myfree(dr->pmatch);
    dict_free(dict);
}

/* dict_regexp_open - load the rules from a file */

struct dict *
dict_regexp_open(const char *name, int flags UNUSED, struct vstr *why)
{
    struct dict_regexp *dr;
    struct table_src *src;

    if ((src = table_src_open(name, why)) == 0)
	return (0);
    dr = (struct dict_regexp *) dict_alloc("regexp", name, sizeof(*dr));
    dr->dict.lookup = dict_regexp_lookup;
    dr->dict.close = dict_regexp_close;
    if (dict_regexp_load(dr, src, why) < 0) {
	table_src_close(src);
	dict_regexp_close(&dr->dict);
	return (0);
    }
    dict_watch_file(&dr->dict, name, table_src_fd(src));
    table_src_close(src);
    dr->pmatch = mycalloc(dr->max_nsub + 1, sizeof(regmatch_t));
    return (&dr->dict);
}
