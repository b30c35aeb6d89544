/* stmt_xml.c: the libxml2 xmlTextReader set up the same way for every XML
 * reader (camt.c, goaml.c, stmt_parties.c): input pulled from a gzFile, no
 * DTD, no entity expansion, no network, blanks dropped, and the first parse
 * error kept with its file, line and column for the caller's message. */
#include "read/stmt.h"

#include <string.h>

static void stmt_xml_error_cb(void *arg, xmlErrorPtr e)
{
    StmtXml *x = arg;
    if (x->err->len || !e)
        return;
    g_string_printf(x->err, "%s:%d:%d: malformed XML: %s", x->name, e->line, e->int2,
                    e->message ? e->message : "error");
    while (x->err->len && x->err->str[x->err->len - 1] == '\n')
        g_string_truncate(x->err, x->err->len - 1);
}

static int stmt_xml_read_cb(void *ctx, char *buf, int len)
{
    return gzread(((StmtXml *)ctx)->gz, buf, (unsigned)len);
}

gboolean stmt_xml_init(StmtXml *x, gzFile gz, const char *name, GError **error)
{
    x->gz = gz;
    x->name = g_strdup(name);
    x->err = g_string_new(NULL);
    x->xr =
        xmlReaderForIO(stmt_xml_read_cb, NULL, x, name, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!x->xr) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot start the XML reader",
                    name);
        return FALSE;
    }
    xmlTextReaderSetStructuredErrorHandler(x->xr, stmt_xml_error_cb, x);
    return TRUE;
}

void stmt_xml_clear(StmtXml *x)
{
    if (x->xr)
        xmlFreeTextReader(x->xr);
    if (x->err)
        g_string_free(x->err, TRUE);
    g_free(x->name);
    *x = (StmtXml){0};
}

void stmt_xml_fail(StmtXml *x, GError **error)
{
    if (!x->err->len)
        g_string_printf(x->err, "%s:%d: malformed XML", x->name,
                        xmlTextReaderGetParserLineNumber(x->xr));
    g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, x->err->str);
}

int stmt_xml_line(const StmtXml *x)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(x->xr);
    long line = n ? xmlGetLineNo(n) : -1;
    return line > 0 ? (int)line : xmlTextReaderGetParserLineNumber(x->xr);
}
