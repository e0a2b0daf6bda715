#ifndef EXUP_CXML2_SHIM_H
#define EXUP_CXML2_SHIM_H
/* Debian's libxml2 is built with ICU, so <libxml/encoding.h> would pull in the system's
   <unicode/utypes.h>, whose UErrorCode clashes with the copy inside Foundation (_FoundationICU) in any
   module that sees both. We never touch the ICU-only trailing fields of xmlCharEncodingHandler (we only
   hold pointers to it), so hiding ICU from these headers changes no layout we use. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <string.h>

/* Called by libxml2 when the document has a <!DOCTYPE …>. We record it and stop the parser at once,
   before any entity declared in the DTD can be referenced (billion laughs, external entities). */
static void exup_xml_refuse_internal_subset(void *ctx, const xmlChar *name,
                                            const xmlChar *externalID, const xmlChar *systemID) {
    (void)name; (void)externalID; (void)systemID;
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    if (ctxt->_private != NULL) *(int *)ctxt->_private = 1;
    xmlStopParser(ctxt);
}

/* Parses `length` bytes as XML with no DTD, no entity substitution, no network and no DTD loading.
   Returns the document, or NULL with `*sawDTD` set or `message` filled with libxml2's reason. */
static inline xmlDocPtr exup_xml_parse_strict(const char *buffer, int length, int *sawDTD,
                                              int *line, char *message, int messageSize) {
    *sawDTD = 0; *line = 0;
    if (messageSize > 0) message[0] = 0;
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(buffer, length);
    if (ctxt == NULL) {
        if (messageSize > 0) strncpy(message, "cannot create an XML parser", (size_t)messageSize - 1);
        return NULL;
    }
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ctxt->sax->internalSubset = exup_xml_refuse_internal_subset;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->resolveEntity = NULL;
    ctxt->_private = sawDTD;
    xmlParseDocument(ctxt);
    xmlDocPtr doc = ctxt->myDoc;
    int ok = ctxt->wellFormed && !*sawDTD && doc != NULL;
    if (!ok) {
        const xmlError *error = xmlCtxtGetLastError(ctxt);
        if (error != NULL && error->message != NULL && messageSize > 0) {
            strncpy(message, error->message, (size_t)messageSize - 1);
            message[messageSize - 1] = 0;
            *line = error->line;
        }
        if (doc != NULL) xmlFreeDoc(doc);
        doc = NULL;
    }
    ctxt->myDoc = NULL;
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    return doc;
}
/* xmlFree is a mutable global function pointer; Swift 6 refuses to touch it directly. */
static inline void exup_xml_free(void *p) { xmlFree(p); }
#endif
