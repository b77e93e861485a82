/* Placeholder until the persistence parser lands. */
#include "parsers.h"

int
sp_parse_crontab(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	(void)ctx;
	(void)in;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "not yet supported");
}

int
sp_parse_systemd_unit(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	(void)ctx;
	(void)in;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "not yet supported");
}

int
sp_parse_ld_preload(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	(void)ctx;
	(void)in;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "not yet supported");
}

int
sp_parse_authorized_keys(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	(void)ctx;
	(void)in;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "not yet supported");
}
