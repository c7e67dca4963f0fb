"""The three documents: the receipt form, the issued permit, the notice. One page each, A4."""

from __future__ import annotations

from decimal import Decimal

import attrs

from localgov.documents.bidi import isolate_ltr
from localgov.documents.content import NoticeContent, PermitContent, ReceiptContent
from localgov.documents.formatting import Formatter
from localgov.documents.layout import GREY, Sheet
from localgov.i18n import LocalizedText
from localgov.tokens.receipt import receipt_link
from localgov.tokens.short_codes import FIGURES_BY_NAME

__all__ = ["SIGNATURE_BOX", "TemplateSettings", "draw_notice", "draw_permit", "draw_receipt"]

#: Where the visible signature goes on a permit, in PDF points from the bottom-left (x1, y1, x2, y2).
SIGNATURE_BOX = (335.0, 104.0, 555.0, 148.0)


@attrs.frozen
class TemplateSettings:
    formatter: Formatter
    portal_base_url: str
    sms_number: str | None
    qr_mask: int | None


def _identifier(text: str) -> str:
    return isolate_ltr(text)


def draw_receipt(sheet: Sheet, content: ReceiptContent, settings: TemplateSettings) -> None:
    fmt = settings.formatter
    sheet.header()
    sheet.title(LocalizedText("نموذج استلام الخدمة", "Service receipt form"))
    sheet.row(LocalizedText("رقم المتابعة", "Tracking number"), _identifier(content.tracking_number), emphasis=True)
    sheet.row(LocalizedText("رمز الاستعلام", "Access code"), _identifier(content.access_code), emphasis=True)
    sheet.row(LocalizedText("الخدمة", "Service"), content.service, show_english=True)
    sheet.row(LocalizedText("مقدم الطلب", "Applicant"), content.applicant_name)
    sheet.row(LocalizedText("تاريخ الاستلام", "Received on"), fmt.date(content.received_on))
    if content.service_point is not None:
        sheet.row(LocalizedText("جهة الاستلام", "Received at"), content.service_point)
    sheet.row(
        LocalizedText("الموعد المتوقع للإنجاز", "Expected completion"), fmt.date(content.expected_by), emphasis=True
    )
    if content.estimated_fees is not None:
        sheet.row(LocalizedText("الرسوم المقدرة", "Fees assessed"), fmt.amount(content.estimated_fees))
    sheet.section(LocalizedText("المستندات المستلمة", "Documents received"))
    sheet.bullets(content.documents or (LocalizedText("لا توجد مستندات", "none"),))
    _inquiry(sheet, content, settings)
    sheet.footer(
        [
            LocalizedText(
                "احتفظ بهذا النموذج حتى استلام الخدمة، ولا يلزم تقديمه عند الاستعلام عن الطلب",
                "Keep this form until the service is delivered",
            )
        ]
    )


def _inquiry(sheet: Sheet, content: ReceiptContent, settings: TemplateSettings) -> None:
    link = receipt_link(settings.portal_base_url, content.tracking_number, content.access_code)
    sheet.section(LocalizedText("للاستعلام عن الطلب", "Asking about the request"))
    top = sheet.y + 2
    qr_size = 112.0
    sheet.qr(link, sheet.left, top, qr_size, mask=settings.qr_mask)
    text_right = sheet.right
    sheet.y = top
    width = text_right - (sheet.left + qr_size + 16)
    message = f"{content.tracking_number} {content.access_code}"
    lines = ["امسح الرمز بكاميرا الهاتف لمتابعة حالة الطلب على بوابة الخدمات الإلكترونية."]
    if settings.sms_number:
        lines.append(
            f"أو أرسل رسالة نصية نصها {isolate_ltr(message)} إلى الرقم {isolate_ltr(settings.sms_number)}"
            " وستصلك حالة الطلب في رسالة."
        )
        english = f"Scan the code, or text the message above to {settings.sms_number}."
    else:
        lines.append(
            f"أو أرسل رقم المتابعة ورمز الاستعلام {isolate_ltr(message)} في رسالة نصية إلى رقم الاستعلام بالمحافظة."
        )
        english = "Scan the code, or text the message above to the inquiry number."
    for line in lines:
        sheet.y += sheet.paragraph(line, 10.5, width=width) + 4
    sheet.y += sheet.paragraph(english, 8.5, width=width, rtl=False, align="right", color=GREY) + 6
    sheet.put(
        _identifier(link), 7.5, max(sheet.y + 8, top + qr_size + 10), x=sheet.left, align="left", rtl=False, color=GREY
    )
    sheet.y = max(sheet.y, top + qr_size + 16)


def draw_permit(sheet: Sheet, content: PermitContent, token: str, signer_name: str, settings: TemplateSettings) -> None:
    fmt = settings.formatter
    claims = content.claims
    sheet.header()
    sheet.title(content.title)
    sheet.row(LocalizedText("رقم الترخيص", "Permit number"), _identifier(claims.permit_number), emphasis=True)
    sheet.row(LocalizedText("اسم صاحب الترخيص", "Holder"), claims.holder_name, emphasis=True)
    if claims.address:
        sheet.row(LocalizedText("العنوان", "Address"), fmt.number(claims.address))
    if claims.parcel:
        sheet.row(LocalizedText("القطعة", "Parcel"), claims.parcel)
    for name, value in claims.figures:
        spec = FIGURES_BY_NAME.get(name)
        label = spec.label if spec is not None else LocalizedText(name, name)
        shown = format(value, "f") if isinstance(value, Decimal) else str(value)
        sheet.row(label, fmt.quantity(shown, spec.unit if spec is not None else None))
    sheet.row(
        LocalizedText("جهة الإصدار", "Issued by"),
        LocalizedText(
            f"{content.unit.name.ar} — {isolate_ltr(claims.issuer)}", f"{content.unit.name.en} ({claims.issuer})"
        ),
    )
    sheet.row(LocalizedText("تاريخ الإصدار", "Issued on"), fmt.date(content.issued_on))
    expiry = fmt.date(content.expires_on) if content.expires_on else LocalizedText("غير محدد", "not limited")
    sheet.row(LocalizedText("تاريخ الانتهاء", "Expires on"), expiry)
    sheet.row(LocalizedText("رقم الطلب", "Request (tracking) number"), _identifier(content.tracking_number))
    _verification_block(sheet, token, signer_name, settings)
    sheet.footer(
        [
            LocalizedText(
                "هذه الوثيقة موقعة إلكترونيًا، ويمكن لأي جهة التحقق من توقيعها ومن رمز التحقق دون الرجوع إلى الجهة المصدرة",
                "Signed electronically: anyone can verify it offline",
            )
        ]
    )


def _verification_block(sheet: Sheet, token: str, signer_name: str, settings: TemplateSettings) -> None:
    qr_size = 150.0
    top = sheet.height - SIGNATURE_BOX[1] - qr_size + 10
    sheet.qr(token, sheet.left, top, qr_size, mask=settings.qr_mask)
    sheet.put("رمز التحقق من صحة الترخيص", 9, top + qr_size + 4, x=sheet.left + qr_size / 2, align="center", bold=True)
    sheet.put(
        "Scan to verify this permit",
        7.5,
        top + qr_size + 15,
        x=sheet.left + qr_size / 2,
        align="center",
        rtl=False,
        color=GREY,
    )
    x1, y1, x2, y2 = SIGNATURE_BOX
    box_top = sheet.height - y2
    signatory = sheet.branding.signatory
    sheet.put(signatory.ar, 11, box_top - 34, x=x2, bold=True)
    sheet.put(signatory.en, 8.5, box_top - 21, x=x2, rtl=False, color=GREY)
    sheet.put("توقيع إلكتروني معتمد", 9.5, box_top - 6, x=x2, color=sheet.branding.accent)
    sheet.put(isolate_ltr(signer_name), 7.5, box_top - 6, x=x1, align="left", rtl=False, color=GREY)
    sheet.box(x1, box_top, x2 - x1, y2 - y1)


def draw_notice(sheet: Sheet, content: NoticeContent, settings: TemplateSettings) -> None:
    fmt = settings.formatter
    sheet.header()
    if content.kind == "missing_documents":
        sheet.title(LocalizedText("إخطار باستيفاء مستندات", "Notice of missing documents"))
    else:
        sheet.title(LocalizedText("إخطار برفض الطلب", "Notice of rejection"))
    sheet.row(LocalizedText("رقم المتابعة", "Tracking number"), _identifier(content.tracking_number), emphasis=True)
    sheet.row(LocalizedText("الخدمة", "Service"), content.service)
    sheet.row(LocalizedText("مقدم الطلب", "Applicant"), content.applicant_name)
    sheet.row(LocalizedText("التاريخ", "Date"), fmt.date(content.dated))
    if content.kind == "missing_documents":
        sheet.section(LocalizedText("المطلوب استيفاؤه", "What is missing"))
        sheet.y += sheet.paragraph(content.reason, 11) + 6
        if content.missing:
            sheet.bullets(content.missing)
        sheet.y += 8
        sheet.y += (
            sheet.paragraph(
                "يتوقف احتساب مدة إنجاز الطلب حتى تقديم المستندات المطلوبة في الشباك الواحد أو على البوابة.", 10.5
            )
            + 2
        )
        sheet.y += (
            sheet.paragraph(
                "The time limit stands still until the documents are supplied at the one window or on the portal.",
                8.5,
                rtl=False,
                align="right",
                color=GREY,
            )
            + 4
        )
    else:
        sheet.section(LocalizedText("سبب الرفض", "Reason"))
        sheet.y += sheet.paragraph(content.reason or "—", 11) + 8
        sheet.y += sheet.paragraph("يحق لمقدم الطلب التظلم من هذا القرار لدى الجهة المختصة بالمحافظة.", 10.5) + 2
        sheet.y += (
            sheet.paragraph(
                "The applicant may appeal this decision to the governorate's competent office.",
                8.5,
                rtl=False,
                align="right",
                color=GREY,
            )
            + 4
        )
    sheet.footer(
        [
            LocalizedText(
                "يرجى ذكر رقم المتابعة في أي تواصل بشأن الطلب",
                "Please quote the tracking number whenever you ask about the request",
            )
        ]
    )
