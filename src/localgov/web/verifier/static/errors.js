"use strict";
// Why a token was refused: the codes and bilingual summaries of localgov.tokens.errors, in the
// order verification checks them (docs/token-format.md §5). A test compares them with Python's.

export const TOKEN_ERRORS = Object.freeze({
  not_localgov_token: { ar: "ليس رمز تحقق صادرًا عن منظومة الشباك الواحد", en: "not a localgov token" },
  unsupported_version: { ar: "إصدار غير مدعوم من صيغة الرمز", en: "unsupported token version" },
  malformed_encoding: { ar: "ترميز الرمز تالف", en: "malformed encoding" },
  malformed_cbor: { ar: "بنية بيانات الرمز تالفة", en: "malformed CBOR" },
  unknown_signer: { ar: "جهة التوقيع غير معروفة في قائمة الثقة", en: "unknown signer" },
  bad_signature: { ar: "التوقيع غير صحيح: الرمز مزور أو معدل", en: "bad signature" },
  signer_not_allowed: { ar: "جهة التوقيع غير مخولة بإصدار هذا النوع من التراخيص", en: "signer not allowed for this kind" },
  not_yet_valid: { ar: "الترخيص لم يبدأ سريانه بعد", en: "not yet valid" },
  expired: { ar: "الترخيص منتهي الصلاحية", en: "expired" },
  revoked: { ar: "الترخيص ملغى", en: "revoked" },
});

export class TokenError extends Error {
  constructor(code, detail) {
    super(`${TOKEN_ERRORS[code].en}: ${detail}`);
    this.code = code;
    this.detail = detail;
  }
}
