//! Every word the pages show, in Chinese and in English, in one table ([`Texts`]): a page
//! template reads `t.some_key`, so a missing translation is a compile error, and a Chinese
//! page never falls back to English.
//!
//! The language is Chinese unless the visitor asked for English (`?lang=en`, remembered in
//! the `ax_lang` cookie); see [`super::Page`].

use anxin_store::Role;
use anxin_trace::ItemKind;
use anxin_trace::recall::Channel;

/// A language the pages are written in.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Lang {
    /// 简体中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Reads `zh`, `zh-CN` or `en` (any case).
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The code used in `?lang=` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language (what the switch offers).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The words of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The words of this language as escaped HTML ([`HtmlTexts`]).
    pub fn html(self) -> &'static HtmlTexts {
        match self {
            Lang::Zh => &ZH_HTML,
            Lang::En => &EN_HTML,
        }
    }
}

macro_rules! texts {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// The words of one language; each field's documentation is its Chinese text.
        #[derive(Debug)]
        pub struct Texts {
            $(#[doc = $zh] pub $key: &'static str,)*
        }
        static ZH: Texts = Texts { $($key: $zh,)* };
        static EN: Texts = Texts { $($key: $en,)* };

        /// The words of one language written out as HTML once, with the escaping the
        /// templates give text (askama's `Html` escaper), so a page shows them with `|safe`
        /// instead of escaping the same fixed text on every request. Its own type, so that
        /// none of [`Texts`]' methods (which tell the language by the address of its words)
        /// can be called on it by mistake.
        #[derive(Debug)]
        pub struct HtmlTexts {
            $(#[doc = $zh] pub $key: &'static str,)*
        }

        static ZH_HTML: std::sync::LazyLock<HtmlTexts> =
            std::sync::LazyLock::new(|| HtmlTexts { $($key: escaped_once(ZH.$key),)* });
        static EN_HTML: std::sync::LazyLock<HtmlTexts> =
            std::sync::LazyLock::new(|| HtmlTexts { $($key: escaped_once(EN.$key),)* });
    };
}

/// The CBV business steps a page names, with their Chinese and English words. None of the
/// words needs HTML escaping (the passport writes them as they are; a test checks).
const STEP_WORDS: [(&str, &str, &str); 15] = [
    ("commissioning", "生产赋码", "commissioning"),
    ("packing", "装箱", "packing"),
    ("unpacking", "拆箱", "unpacking"),
    ("shipping", "发货", "shipping"),
    ("receiving", "收货", "receiving"),
    ("retail_selling", "零售售出", "retail sale"),
    ("inspecting", "检验", "inspection"),
    ("holding", "暂停/召回", "holding / recall"),
    ("storing", "入库", "storing"),
    ("departing", "离开", "departing"),
    ("arriving", "到达", "arriving"),
    ("picking", "拣货", "picking"),
    ("reserving", "预订", "reserving"),
    ("transforming", "加工", "transforming"),
    ("", "—", "—"),
];

/// The words for any other step.
const STEP_OTHER: (&str, &str) = ("其他", "other");

/// `text` as askama writes it into a page: itself when it has nothing to escape, else an
/// escaped copy made once and kept for the life of the process (one per word and language at
/// most, a bounded few hundred bytes).
fn escaped_once(text: &'static str) -> &'static str {
    let escaped = html_escaped(text);
    if escaped == text {
        text
    } else {
        Box::leak(escaped.into_boxed_str())
    }
}

/// `text` escaped as askama's `Html` escaper escapes `{{ text }}` in a template.
pub fn html_escaped(text: &str) -> String {
    match askama::filters::escape(text, askama::filters::Html) {
        Ok(safe) => safe.to_string(),
        Err(never) => match never {},
    }
}

texts! {
    site => "安心追溯", "Anxin traceability";
    skip => "跳到正文", "Skip to content";
    switch_label => "English", "中文";
    nav_home => "首页", "Home";
    nav_trace => "追溯查询", "Trace";
    nav_recalls => "召回", "Recalls";
    nav_ledger => "账本", "Ledger";
    nav_check => "市场检查", "Shop check";
    nav_lots => "我的批次", "My lots";
    nav_findings => "质量问题", "Findings";
    nav_login => "登录", "Sign in";
    logout => "退出登录", "Sign out";
    none => "无", "none";

    // Login and sessions.
    login_title => "登录", "Sign in";
    login_intro => "请输入管理员为您的账户发放的令牌（以 ax_ 开头）。令牌只在服务器端核对，浏览器只保存一个随机的会话编号。", "Enter the token issued for your account (it starts with ax_). The token is checked on the server; your browser keeps only a random session number.";
    login_token => "账户令牌", "Account token";
    login_submit => "登录", "Sign in";
    login_bad_token => "令牌无效或已被吊销，请核对后重试。", "This token is not valid or has been revoked. Check it and try again.";
    login_expired => "您的登录已过期或已失效，请重新登录；登录后会回到您刚才要打开的页面。", "Your session has expired or is no longer valid. Sign in again and you will be taken back to the page you asked for.";
    login_signed_out => "您已退出登录。", "You have signed out.";
    login_need => "这个页面需要登录。", "This page needs you to sign in.";
    csrf_title => "请求被拒绝", "Request refused";
    csrf_detail => "这个表单不是从本站页面提交的，或者页面已过期。为了安全，请求没有执行。请回到页面重新提交。", "This form was not sent from one of this site's pages, or the page is out of date. For safety nothing was done. Go back to the page and send it again.";

    // Problems.
    forbidden_title => "无权查看", "Not allowed";
    forbidden_detail => "您的账户无权查看这项内容。生产企业可以查看自己的产品和原料，监管部门可以查看辖区内的记录。", "Your account may not see this. A manufacturer sees its own products and inputs; a regulator sees what happened in its jurisdiction.";
    not_found_title => "未找到", "Not found";
    not_found_detail => "平台上没有这项记录。", "The platform has no such record.";
    bad_id_title => "标识无法识别", "Identifier not recognised";
    bad_id_detail => "这不是平台能识别的标识。请输入 GS1 数字链接、带括号的元素串（如 (01)…(10)…）或 EPC URN，并核对校验位。", "This is not an identifier the platform can read. Enter a GS1 Digital Link, a bracketed element string such as (01)…(10)…, or an EPC URN, and check the check digit.";
    unavailable_title => "暂时无法查询", "Temporarily unavailable";
    starting_title => "正在启动", "Starting";
    starting_detail => "正在启动：追溯图已载入 {percent}%。请稍等几秒后刷新本页。", "Starting: the trace graph is {percent}% loaded. Please wait a few seconds and reload this page.";
    unavailable_detail => "平台暂时无法完成这个查询，请稍后再试。", "The platform could not answer this just now. Please try again later.";

    // Home.
    home_title => "我的工作台", "My desk";
    home_you_are => "当前账户", "Signed in as";
    home_role => "角色", "Role";
    home_party => "企业（GLN）", "Party (GLN)";
    home_region => "行政区划代码", "Region code";
    home_links => "可用功能", "What you can do";
    home_trace_desc => "从任意批次、序列号、箱或托盘的标识向上游或下游追溯。", "Trace any lot, serial, case or pallet upstream or downstream.";
    home_recalls_desc => "查看召回、从批次发起召回，下载受影响清单。", "See recalls, start one from lots, download the affected items.";
    home_ledger_desc => "查看账本的签名树头和公钥，并核验。", "See the ledger's signed tree head and public key, and check them.";
    home_check_desc => "市场检查：扫描或输入罐上的码，立即看到检查结果。", "Shop check: scan or type a can's code and see the result at once.";
    home_lots_desc => "本企业每个批次的检验判定、放行、检验报告、HACCP 扣留和质量问题。", "Each of your lots: its lab verdict, release, certificate, HACCP holds and findings.";
    home_findings_desc => "辖区内（或本企业）按类别列出的质量问题，每条附规则和出处。", "Findings in your jurisdiction (or about your company) by kind, each with its rule and source.";
    home_no_trace => "您的账户类型不能追溯或召回；生产企业、监管部门和平台管理员可以。", "Your kind of account cannot trace or recall; manufacturers, regulators and the platform admin can.";

    // Quality: lots and findings.
    lots_title => "我的批次", "My lots";
    lots_intro => "每个批次的检验判定依据平台上的检验结果，按生产日期有效的国家标准和本企业公开承诺的企业标准逐项判定。", "Each lot is judged on the results on file against the national standards in force on its production date and the company's committed enterprise standard, item by item.";
    lots_none => "平台上没有您的批次。", "The platform has no lots of yours.";
    lots_truncated => "批次较多，只列出了一部分。", "There are many lots; only some are listed.";
    lots_lot => "批次", "Lot";
    lots_product => "产品", "Product";
    lots_produced => "生产日期", "Produced";
    lots_results => "检验结果条数", "Results";
    lots_verdict => "判定", "Verdict";
    lots_release => "放行", "Release";
    lots_hold => "HACCP 扣留", "HACCP hold";
    lots_findings => "质量问题", "Findings";
    lots_trace => "追溯", "Trace";
    verdict_conformant => "合格", "Conformant";
    verdict_non_conformant => "不合格", "Non-conformant";
    verdict_incomplete => "不完整", "Incomplete";
    verdict_unjudged => "无法判定", "Cannot be judged";
    data_gap => "数据缺口：GB 10766-2021、GB 10767-2021 的指标表尚未全部录入平台，较大婴儿和幼儿配方的判定只能是“不完整”。这不是企业的问题，也不计为质量问题。", "Data gap: the tables of GB 10766-2021 and GB 10767-2021 are not fully in the platform's data, so stage-2 and stage-3 judgments can only be incomplete. That is not the company's fault and is not counted as a finding.";
    data_gap_mark => "数据缺口", "data gap";
    released_no => "未放行", "Not released";
    certificate => "检验报告", "Certificate";
    hold_on => "扣留中（无纠偏记录）", "On hold (no corrective action)";
    hold_lifted => "已纠偏解除", "Lifted by a corrective action";
    findings_title => "质量问题", "Findings";
    findings_intro => "质量问题每次都由平台上的记录推导得出（发货与放行事件、检验结果、生乳验收、HACCP 记录），不单独保存。", "Findings are derived from the records on the platform each time (shipping and release events, lab results, raw-milk acceptance, HACCP records); none is stored on its own.";
    findings_none => "没有质量问题。", "No findings.";
    findings_truncated => "发货记录较多，只检查了一部分。", "There are many shipments; only some were checked.";
    findings_lot => "批次或生乳", "Lot or raw milk";
    findings_party => "责任企业（GLN）", "Party (GLN)";
    findings_rule => "规则", "Rule";
    findings_source => "出处", "Source";
    findings_event => "事件", "Event";
    kind_shipped_unreleased => "未放行即发货", "Shipped before release";
    kind_released_non_conformant => "检验不合格仍放行", "Released although non-conformant";
    kind_released_missing_result => "缺少必检项目仍放行", "Released with a required result missing";
    kind_raw_milk_rejected_used => "验收不合格的生乳被使用", "Rejected raw milk used";
    kind_shipped_on_hold => "HACCP 扣留期间发货", "Shipped while on HACCP hold";
    kind_on_hold => "HACCP 扣留中", "On HACCP hold";

    // Trace.
    trace_title => "追溯查询", "Trace";
    trace_id => "标识（批次、序列号、箱、托盘）", "Identifier (lot, serial, case, pallet)";
    trace_direction => "方向", "Direction";
    trace_backward => "向上游（原料和来源）", "Backward (inputs and sources)";
    trace_forward => "向下游（去向和持有方）", "Forward (where it went, who holds it)";
    trace_submit => "追溯", "Trace";
    trace_graph => "追溯图", "Trace graph";
    trace_graph_desc => "从左到右：来源 → 批次 → 托盘/箱 → 罐 → 持有方。点击一个节点即可从它继续追溯。", "Left to right: sources → lots → pallets/cases → cans → holders. Select a node to trace from it.";
    trace_nodes => "节点", "Nodes";
    trace_events => "证明事件", "Proving events";
    trace_event_time => "事件时间", "Event time";
    trace_biz_step => "业务步骤", "Business step";
    trace_party => "记录企业", "Recorded by";
    trace_event_id => "事件编号", "Event ID";
    trace_kind => "类型", "Kind";
    trace_id_col => "标识", "Identifier";
    trace_from_here => "从此追溯", "Trace from here";
    trace_more => "另有", "more:";
    trace_cans_short => "罐", "cans";
    trace_nothing => "这个标识没有上游或下游的记录。", "Nothing upstream or downstream of this identifier is on record.";
    trace_cycles => "数据中有环（某物被记录为它自己的原料）：", "The data has cycles (a thing recorded as its own input):";
    trace_hidden_party => "—（无权查看）", "— (not visible to you)";
    trace_recall_this => "召回这个批次", "Recall this lot";
    kind_source => "来源", "Source";
    kind_lot => "批次", "Lot";
    kind_pallet => "托盘", "Pallet";
    kind_case => "箱", "Case";
    kind_can => "罐", "Can";
    kind_holder => "持有方", "Holder";

    // Recalls.
    recalls_title => "召回", "Recalls";
    recalls_new => "发起召回", "Start a recall";
    recalls_none => "还没有您可以查看的召回。", "There are no recalls you may see yet.";
    recall_id => "召回编号", "Recall";
    recall_level => "级别", "Level";
    recall_reason => "原因", "Reason";
    recall_decided => "决定时间（北京时间）", "Decided (China time)";
    recall_cans => "涉及罐数", "Cans";
    recall_ids => "批次或序列号（每行一个：数字链接、元素串或 EPC URN）", "Lots or serials (one a line: Digital Link, element string or EPC URN)";
    recall_level_1 => "一级（24 小时内启动，10 个工作日内完成）", "Level 1 (start within 24 h, finish within 10 working days)";
    recall_level_2 => "二级（48 小时内启动，20 个工作日内完成）", "Level 2 (start within 48 h, finish within 20 working days)";
    recall_level_3 => "三级（72 小时内启动，30 个工作日内完成）", "Level 3 (start within 72 h, finish within 30 working days)";
    recall_level_source => "期限依据《食品召回管理办法》（国家食品药品监督管理总局，2015 年）。", "Deadlines from the Food Recall Measures (CFDA, 2015).";
    recall_submit => "发起召回", "Start the recall";
    recall_err_ids => "请至少填写一个批次或序列号。", "Enter at least one lot or serial.";
    recall_err_line => "这一行不是可识别的 GS1 编码：", "This line is not a GS1 code the platform can read:";
    recall_err_level => "请选择召回级别。", "Choose a recall level.";
    recall_err_reason => "请填写召回原因。", "Enter the reason for the recall.";
    recall_err_nothing => "这些标识没有匹配到任何产品，召回没有记录。", "These identifiers matched nothing, so no recall was recorded.";
    recall_err_other => "召回请求无法处理，请核对输入。", "The recall could not be opened; check what you entered.";
    recall_deadlines => "期限", "Deadlines";
    recall_start_by => "启动期限（北京时间）", "Start by (China time)";
    recall_finish_by => "完成期限（最后一个工作日）", "Finish by (last working day)";
    recall_summary => "概况", "Summary";
    recall_lots => "批次", "Lots";
    recall_pallets => "托盘", "Pallets";
    recall_cases => "箱", "Cases";
    recall_holders => "持有方（按省份）", "Holders (by province)";
    recall_province => "省份", "Province";
    recall_holder => "持有方", "Holder";
    recall_contact => "联系方式", "Contact";
    recall_chart => "各省涉及罐数", "Cans by province";
    recall_channels => "渠道", "Channels";
    recall_channel => "渠道", "Channel";
    recall_mass_balance => "物料平衡", "Mass balance";
    recall_produced => "产出", "Produced";
    recall_used => "投入使用", "Used";
    recall_unit => "单位", "Unit";
    recall_unit_count => "件", "count";
    recall_commissioned => "赋码罐数", "Cans commissioned";
    recall_gaps => "缺口", "Gaps";
    recall_downloads => "下载", "Downloads";
    recall_csv => "受影响产品清单（CSV）", "Affected items (CSV)";
    recall_sheet => "追踪事件表（FSMA 204 格式，CSV）", "Tracking-event sheet (FSMA 204 style, CSV)";
    recall_xlsx => "可排序工作簿（XLSX）", "Sortable workbook (XLSX)";
    recall_as_of => "以下为当前状态（重新计算）；召回时的概况见上。", "Below is the state now (recomputed); the summary above is as found when the recall was opened.";
    recall_unknown_region => "未知", "unknown";
    recall_not_found_ids => "未使用的标识", "Identifiers not used";

    // Ledger.
    ledger_title => "账本", "Ledger";
    ledger_intro => "平台把每一条接收的记录写入防篡改账本（RFC 9162 默克尔树），并用 Ed25519 签署树头。任何人都可以用下面的公钥核验。", "Every accepted record is a leaf of a tamper-evident ledger (an RFC 9162 Merkle tree) whose heads are signed with Ed25519. Anyone can check them with the public key below.";
    ledger_size => "记录条数（树大小）", "Records (tree size)";
    ledger_root => "根哈希", "Root hash";
    ledger_signed_at => "签署时间（北京时间）", "Signed at (China time)";
    ledger_key_id => "密钥编号", "Key ID";
    ledger_checkpoint => "签名的检查点", "Signed checkpoint";
    ledger_signature => "签名（base64）", "Signature (base64)";
    ledger_public_key => "公钥（PEM）", "Public key (PEM)";
    ledger_verify => "核验", "Verify";
    ledger_verify_what => "核验内容：每一个已存储的树头的签名、用账本的叶子重新计算的根哈希，以及从每个树头到最新树头的一致性证明。事件内容与叶子的逐条比对由 anxin ledger verify 完成（需要读取全部事件）。", "What is checked: every stored tree head's signature, its root recomputed from the ledger's leaves, and a consistency proof from each head to the latest. Comparing every event with its leaf is anxin ledger verify's job (it reads every event).";
    ledger_heads_checked => "已核验的树头", "Tree heads checked";
    ledger_ok => "核验通过", "Verified";
    ledger_failed => "核验失败", "Verification failed";
    ledger_bad_signature => "签名不正确的树头大小", "Heads whose signature fails, by size";
    ledger_bad_root => "根哈希与叶子不符的树头大小", "Heads whose root does not match the leaves, by size";
    ledger_bad_consistency => "一致性证明未通过的树头大小", "Heads whose consistency proof fails, by size";
    ledger_api => "原始数据（JSON）", "Raw data (JSON)";

    // Shop check.
    check_title => "市场检查", "Shop check";
    check_intro => "扫描或输入罐上的码：二维码链接、条码元素串（如 (01)…(21)…）或 EPC URN 都可以。", "Scan or type the code on the can: the QR code's link, an element string such as (01)…(21)…, or an EPC URN.";
    check_code => "产品码", "Product code";
    check_submit => "检查", "Check";
    check_pass => "通过", "Pass";
    check_fail => "不通过", "Fail";
    check_unknown => "暂无记录", "Not yet on file";
    check_overall_pass => "通过：未发现问题", "PASS: no problem found";
    check_overall_fail => "不通过：发现问题，请勿销售", "FAIL: problem found, do not sell";
    check_overall_partial => "已核验的项目均通过；部分项目暂无记录", "Every item on file passes; some items are not yet on file";
    check_code_ok => "产品码有效", "Code is valid";
    check_code_bad => "产品码无效或校验位错误，可能是假冒或输入有误", "The code is not valid or its check digit is wrong: a fake or a typing error";
    check_known => "平台有此产品的记录", "The platform knows this item";
    check_unknown_item => "平台上没有任何企业登记过这个码：可能是假冒产品", "No company has recorded this code: it may be a fake";
    check_registered => "产品已登记（企业主数据）", "Product registered (master data)";
    check_released => "批次已放行", "Lot released";
    check_released_note => "未找到生产企业的放行检验记录", "no release inspection by the maker is on file";
    check_released_at => "放行时间（北京时间）：", "released (China time):";
    check_certificate => "检验报告", "certificate of analysis";
    check_not_recalled => "未召回", "Not recalled";
    check_not_expired => "未过期", "Not expired";
    check_no_expiry => "没有登记保质期", "no expiry date on file";
    check_no_counterfeit => "无假冒迹象", "No sign of counterfeiting";
    check_sold_twice => "同一序列号已在多地售出：", "The same serial was sold in more than one place:";
    check_import => "进口产品（按商品条码前缀判断，非 690–699）", "Imported (by the barcode's GS1 prefix, not 690–699)";
    check_entry_cert => "入境检验检疫证明", "Entry inspection certificate";
    check_formula_reg => "产品配方注册", "Formula registration";
    check_registry_note => "注册库尚未接入平台", "the registry is not on the platform yet";
    check_declared => "企业主数据申报：", "as declared in the maker's master data:";
    check_gtin_only => "这是只含商品条码的码，批次和单罐检查需要罐上的二维码（含序列号或批号）。", "This code names only the product; checking the lot and the can needs the can's QR code (with serial or lot).";
    check_details => "查看产品档案", "See the product passport";
    check_code_label => "检查的码", "Code checked";

    // Passport.
    passport_product => "产品", "Product";
    passport_unnamed => "未登记名称的产品", "Product without a registered name";
    passport_recalled => "⚠ 已召回：本产品所在批次已被召回，请立即停止食用，联系购买的商店退货。", "⚠ Recalled: this product's lot has been recalled. Stop using it now and return it to the shop.";
    passport_expired => "⚠ 已过期：本产品已超过保质期，请勿食用。", "⚠ Expired: this product is past its expiry date. Do not use it.";
    passport_suspicious => "⚠ 疑似假冒：同一个序列号已在多地售出：", "⚠ Possibly counterfeit: this serial number was sold in more than one place:";
    passport_suspicious_after => "正品每罐只有一个序列号、只能售出一次。请向 12315 反映。", "A genuine can has its own serial and is sold once. Report it to 12315.";
    passport_ok => "未召回，未过期，未发现异常。", "Not recalled, not expired, nothing unusual found.";
    passport_brand => "品牌", "Brand";
    passport_stage => "段别", "Stage";
    passport_stage_suffix => " 段", "";
    passport_gtin => "商品条码", "GTIN";
    passport_serial => "序列号", "Serial";
    passport_lot => "批号", "Lot";
    passport_production_date => "生产日期", "Production date";
    passport_expiry => "保质期至", "Best before";
    passport_made_at => "生产地点", "Made at";
    passport_unregistered => "未登记", "not registered";
    passport_licence => "食品生产许可证编号", "Food production licence no.";
    passport_formula_registration => "产品配方注册号", "Formula registration no.";
    passport_not_on_file => "未登记", "not on file";
    passport_declared_note => "生产许可证编号和配方注册号是生产企业在其主数据中申报的内容；许可和注册数据库尚未接入平台，平台未据此核验。", "The production licence and formula registration numbers are as the manufacturer declared them in its master data; the licence and registration registries are not on the platform yet, so these numbers have not been checked against them.";
    passport_sources => "奶源与原料来源", "Where the milk and ingredients came from";
    passport_release => "出厂检验", "Release testing";
    passport_released => "✔ 已检验放行", "✔ Tested and released";
    passport_released_at => "放行时间", "released";
    passport_certificate => "查看检验报告", "See the certificate of analysis";
    passport_not_released => "未放行：平台上没有本批次的出厂检验放行记录。", "Not released: the platform holds no release record for this lot.";
    passport_import_release => "进口产品：出厂检验由境外生产企业完成，本平台没有其放行记录；入境查验见下方流通记录。", "Imported product: its release testing is done by the maker abroad and is not on file here; the entry inspection is in the journey below.";
    passport_enterprise_standard => "企业标准（公开承诺）", "Enterprise standard (public commitment)";
    passport_standard_committed => "承诺执行企业标准", "commits to its enterprise standard";
    passport_standard_stricter => "严于国家标准；承诺于", "stricter than the national standard; committed on";
    passport_no_standard => "本产品没有公开承诺的企业标准。", "This product has no publicly committed enterprise standard.";
    passport_journey => "流通记录", "Journey";
    passport_verify => "核验此记录", "Verify this record";
    passport_verified_before => "✔ 赋码记录已写入平台账本，包含证明已按签名树头（共", "✔ The commissioning record is in the platform's ledger; its inclusion proof verified against the signed tree head (";
    passport_verified_after => "条记录）核验通过。", "records).";
    passport_not_verified => "✘ 包含证明未能通过核验。", "✘ The inclusion proof did not verify.";
    passport_proof_link => "查看原始证明（JSON）", "See the raw proof (JSON)";
    passport_no_proof => "暂无账本证明。", "No ledger proof yet.";
    passport_qr => "本产品的 GS1 数字链接二维码", "This product's GS1 Digital Link QR code";
    passport_unknown_place => "未知地点", "unknown place";
    passport_too_long_title => "链接过长", "Link too long";
    passport_too_long => "这个产品码太长，不是有效的 GS1 数字链接。请重新扫描罐底或罐身的二维码。", "This product code is too long to be a GS1 Digital Link. Scan the QR code on the can again.";
    passport_bad_code_title => "产品码无效", "Invalid product code";
    passport_bad_code => "无法识别这个产品码。如果是手工输入，请核对商品条码的每一位数字；校验位不对的码不是正品包装上的码。", "This product code cannot be read. If you typed it, check every digit of the barcode; a code with a wrong check digit is not on a genuine pack.";
    passport_page_error_title => "页面出错", "Page error";
    passport_page_error => "页面暂时无法显示，请稍后再试。", "The page cannot be shown just now. Please try again later.";
    passport_fake_title => "查无此码：可能是假冒产品", "Unknown code: possibly a fake";
    passport_fake => "平台上没有任何企业登记过这个产品码。正品婴幼儿配方乳粉的每一罐在出厂时都会登记。请不要给宝宝食用，并向购买的商店和当地市场监管部门（12315）反映。", "No company has recorded this product code on the platform. Every genuine can of infant formula is recorded when it leaves the factory. Do not feed it to your baby; tell the shop and the local market regulator (12315).";
    passport_unavailable => "平台暂时无法查询，请稍后再试。", "The platform cannot be queried just now. Please try again later.";
}

impl Texts {
    /// A finding's kind in words.
    pub fn finding_kind(&self, kind: anxin_quality::finding::FindingKind) -> &'static str {
        use anxin_quality::finding::FindingKind as K;
        match kind {
            K::ShippedUnreleased => self.kind_shipped_unreleased,
            K::ReleasedNonConformant => self.kind_released_non_conformant,
            K::ReleasedMissingResult => self.kind_released_missing_result,
            K::RawMilkRejectedUsed => self.kind_raw_milk_rejected_used,
            K::ShippedOnHold => self.kind_shipped_on_hold,
            K::OnHold => self.kind_on_hold,
        }
    }

    /// An account role in words.
    pub fn role(&self, role: &Role) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        let (cn, en) = match role {
            Role::Manufacturer => ("生产企业", "manufacturer"),
            Role::Farm => ("牧场", "farm"),
            Role::IngredientSupplier => ("原料供应商", "ingredient supplier"),
            Role::Distributor => ("经销商", "distributor"),
            Role::Retailer => ("零售商", "retailer"),
            Role::Importer => ("进口商", "importer"),
            Role::CrossBorderEcommerce => ("跨境电商", "cross-border e-commerce"),
            Role::Lab => ("检验机构", "laboratory"),
            Role::Regulator => ("监管部门", "regulator"),
            Role::IndustryAssociation => ("行业协会", "industry association"),
            Role::Researcher => ("研究人员", "researcher"),
            Role::Admin => ("平台管理员", "platform admin"),
        };
        if zh { cn } else { en }
    }

    /// A CBV business step (full URI or bare word) in words.
    pub fn step(&self, step: &str) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        // Byte by byte (the three are ASCII, so any byte found is a character boundary): a
        // passport asks this for every step, and a search for a set of chars cost more.
        let word = step
            .bytes()
            .rposition(|byte| matches!(byte, b'/' | b'-' | b':'))
            .map_or(step, |at| &step[at + 1..]);
        let (cn, en) = STEP_WORDS
            .iter()
            .find(|(known, _, _)| *known == word)
            .map_or(STEP_OTHER, |&(_, cn, en)| (cn, en));
        if zh { cn } else { en }
    }

    /// A trace node's kind in words.
    pub fn kind(&self, kind: &ItemKind) -> &'static str {
        match kind {
            ItemKind::Lot => self.kind_lot,
            ItemKind::Pallet => self.kind_pallet,
            ItemKind::Case => self.kind_case,
            ItemKind::Can => self.kind_can,
        }
    }

    /// A recall channel in words.
    pub fn channel(&self, channel: &Channel) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        let (cn, en) = match channel {
            Channel::AtManufacturer => ("仍在生产企业", "at the manufacturer"),
            Channel::InDistribution => ("流通环节（经销、物流、在途）", "in distribution"),
            Channel::OnShopShelf => ("商店货架或电商在售", "on shop shelves"),
            Channel::SoldToConsumer => ("已售给消费者", "sold to consumers"),
            Channel::ExportedOrCrossBorder => ("出口、跨境或保税", "exported or cross-border"),
            Channel::Destroyed => ("已销毁", "destroyed"),
            Channel::Unknown => ("持有方不明", "holder unknown"),
        };
        if zh { cn } else { en }
    }

    /// A recall level (1, 2, 3) in words.
    pub fn level(&self, level: &u8) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        match (level, zh) {
            (1, true) => "一级",
            (2, true) => "二级",
            (_, true) => "三级",
            (1, false) => "Level 1",
            (2, false) => "Level 2",
            (_, false) => "Level 3",
        }
    }

    /// The province of a GB/T 2260 administrative division code, in words.
    pub fn province(&self, region: &str) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        match super::province::of(region) {
            Some((cn, _)) if zh => cn,
            Some((_, en)) => en,
            None => self.recall_unknown_region,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few fields read through both tables: the macro fills every field of both.
    #[test]
    fn chinese_and_english_differ_and_chinese_pages_have_no_latin_sentences() {
        assert_ne!(ZH.login_title, EN.login_title);
        for text in [ZH.login_intro, ZH.check_overall_fail, ZH.forbidden_detail] {
            assert!(
                !text.contains(" the "),
                "English in the Chinese table: {text}"
            );
        }
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(ZH.role(&Role::Regulator), "监管部门");
        assert_eq!(EN.step("urn:epcglobal:cbv:bizstep:shipping"), "shipping");
        assert_eq!(
            ZH.step("https://ref.gs1.org/cbv/BizStep-retail_selling"),
            "零售售出"
        );
        assert_eq!(ZH.step("retail_selling"), "零售售出");
        assert_eq!(EN.step("urn:example:step:x-unpacking"), "unpacking");
        assert_eq!(EN.step("urn:example:steps/"), "—");
        assert_eq!(ZH.step("made_up"), "其他");
    }

    /// The escaped words are the words as a template escapes them: the same text where there
    /// is nothing to escape, escaped where there is (an English apostrophe).
    #[test]
    fn the_html_words_are_the_words_escaped_as_a_template_escapes_them() {
        assert_eq!(Lang::Zh.html().passport_ok, ZH.passport_ok);
        assert!(std::ptr::eq(Lang::Zh.html().site, ZH.site));
        assert!(EN.passport_recalled.contains('\''));
        assert_eq!(
            Lang::En.html().passport_recalled,
            EN.passport_recalled.replace('\'', "&#39;")
        );
        for (texts, html) in [(&ZH, Lang::Zh.html()), (&EN, Lang::En.html())] {
            for (plain, escaped) in [
                (texts.passport_suspicious, html.passport_suspicious),
                (texts.passport_declared_note, html.passport_declared_note),
                (
                    texts.passport_verified_before,
                    html.passport_verified_before,
                ),
                (texts.switch_label, html.switch_label),
            ] {
                assert_eq!(escaped, html_escaped(plain));
            }
        }
    }

    /// The passport writes a step's label without escaping it (`passport::journey_html`), so
    /// no label may need escaping.
    #[test]
    fn no_step_label_needs_escaping() {
        let words = STEP_WORDS.iter().map(|(word, _, _)| *word);
        for word in words.chain(["anything else"]) {
            for texts in [&ZH, &EN] {
                let label = texts.step(word);
                assert_eq!(html_escaped(label), label, "{word}");
            }
        }
    }
}
