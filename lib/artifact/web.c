/* Placeholder until the web parser lands. */
#include "parsers.h"

int
sp_parse_web_access(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	(void)ctx;
	(void)in;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "not yet supported");
}
