//! Readability on a real-world page shape: an Arabic news article inside a site's navigation, share buttons, an
//! inline "read also" box, tags, related links, comments, a sidebar and a footer. The fixture was written by the
//! team in the manner of Arabic news sites (no publisher's page was copied).

use chrono::NaiveDate;
use rasd_fetch::extract_article;

const PAGE: &str = include_str!("fixtures/article_boilerplate_ar.html");

const BODY: &str = "تجددت الاشتباكات فجر اليوم الإثنين بين القوات الحكومية ومسلحين محليين في بلدة الرملة بريف المدينة \
الجنوبي، ما أسفر عن مقتل أربعة مدنيين بينهم طفلان، وفق ما أفادت مصادر طبية.

وقال مصدر في المستشفى الوطني إن القتلى سقطوا جراء قذائف هاون استهدفت حياً سكنياً قرب السوق القديم، مضيفاً أن سبعة \
جرحى آخرين نُقلوا لتلقي العلاج، بعضهم في حالة حرجة.

نزوح العشرات من العائلات

وأكد ناشطون أن عشرات العائلات نزحت من الأحياء الشرقية للبلدة باتجاه القرى المجاورة، خشية تجدد القصف، في حين أغلقت \
المدارس أبوابها حتى إشعار آخر.

«سمعنا دوي الانفجارات منذ الساعة الرابعة فجراً، ولم نستطع الخروج من المنزل حتى الصباح»، قال أحد السكان.

ولم يصدر أي تعليق رسمي من الجهات الحكومية حتى لحظة إعداد هذا الخبر، فيما تحدثت وسائل إعلام محلية عن تعزيزات \
عسكرية وصلت إلى محيط البلدة.";

#[test]
fn boilerplate_is_dropped_and_the_body_kept_exactly() {
    let a = extract_article(PAGE);
    assert_eq!(a.text, BODY);
    for junk in [
        "الرئيسية",
        "عاجل",
        "تسجيل الدخول",
        "شارك المقال",
        "واتساب",
        "صورة أرشيفية",
        "اقرأ أيضاً",
        "جولة مفاوضات",
        "إعلان\n",
        "الوسوم",
        "أخبار ذات صلة",
        "عبوة ناسفة",
        "التعليقات",
        "حسبنا الله",
        "ممرات آمنة",
        "أضف تعليقك",
        "الأكثر قراءة",
        "النشرة البريدية",
        "جميع الحقوق محفوظة",
        "gtag",
    ] {
        assert!(!a.text.contains(junk), "{junk:?} left in {}", a.text);
    }
    assert!(!a.text.ends_with("إعلان"), "{}", a.text);
    assert_eq!(
        a.title.as_deref(),
        Some("اشتباكات عنيفة في ريف المدينة الجنوبي ومقتل أربعة مدنيين")
    );
    assert_eq!(a.byline.as_deref(), Some("سلمى الخطيب"));
    assert_eq!(a.published_raw.as_deref(), Some("2026-03-02T06:45:00+03:00"));
    assert_eq!(a.published, NaiveDate::from_ymd_opt(2026, 3, 2));
    assert_eq!(
        a.canonical.as_deref(),
        Some("https://akhbar.example.test/news/2026/03/02/clashes-south")
    );
    assert_eq!(a.lang.as_deref(), Some("ar"));
    assert_eq!(a.site_name.as_deref(), Some("شبكة الأخبار اليومية"));
}

/// A short page (Readability or, failing it, the heuristic) still gives its text.
#[test]
fn a_short_page_keeps_its_text() {
    let a = extract_article("<html><body><div><p>بيان قصير.</p></div></body></html>");
    assert_eq!(a.text, "بيان قصير.");
}
