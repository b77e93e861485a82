/* Placeholder until the audit parser lands. */
#include "parsers.h"

int
sp_parse_audit(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	(void)ctx;
	(void)in;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "not yet supported");
}
