//! Departments' spreadsheets in: XLSX and CSV built here as departments write them (a title
//! row, header variants with spaces, line breaks and full-width characters, merged 项目 cells
//! over 子项 rows, one sheet per category, GBK), broken ones with the exact cell of each
//! problem and nothing written, and export → import of the demo lists with nothing changed.

use quanze_registry::import::sheet::{SheetDefaults, SheetFile, import_items_sheet, read_items};
use quanze_registry::interchange::{DepartmentRef, PowerItemRecord};
use quanze_registry::repo::items::ItemFilter;
use quanze_registry::sheet::workbook::SheetFormat;
use quanze_registry::validate::{Checker, validate_item};
use quanze_testkit::TestDatabase;
use rust_xlsxwriter::{Format, Workbook};

use crate::{open, options, repo_root};

fn defaults() -> SheetDefaults {
    SheetDefaults {
        department: Some(DepartmentRef {
            name: "广安区交通运输局".into(),
            uscc: Some("11511301008778386B".into()),
            region: "511602".into(),
        }),
    }
}

fn xlsx(file: &[u8]) -> SheetFile<'_> {
    SheetFile {
        bytes: file,
        format: SheetFormat::Xlsx,
        name: "清单.xlsx",
    }
}

/// A list as a transport bureau keeps it: title row, header with odd spellings, 项目 merged
/// over its 子项, multi-line 依据 / 责任事项 / 追责情形, and a second sheet of penalties
/// without a category column.
fn real_looking_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let wrap = Format::new().set_text_wrap();
    let sheet = book.add_worksheet();
    sheet.set_name("许可").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            8,
            "广安区交通运输局权力清单（2024年版）",
            &Format::new(),
        )
        .unwrap();
    let header = [
        "序 号",
        "职权\n类别",
        "项目名称",
        "子项",
        "实施依据",
        "责任事项",
        "追责情形",
        "法定时限（工作日）",
        "ＢＥＩＺＨＵ 备注",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    // The project cell is merged over its two sub-items.
    sheet
        .merge_range(2, 2, 3, 2, "道路运输经营许可", &Format::new())
        .unwrap();
    let rows = [
        ["1", "行政许可", "", "道路旅客运输经营许可"],
        ["2", "行政许可", "", "道路货物运输经营许可"],
    ];
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        sheet.write_string(r, 0, row[0]).unwrap();
        sheet.write_string(r, 1, row[1]).unwrap();
        sheet.write_string(r, 3, row[3]).unwrap();
        sheet
            .write_string_with_format(
                r,
                4,
                "【行政法规】《中华人民共和国道路运输条例》（2023年7月20日修订）第十条：申请从事客运经营的……\n【法律】《中华人民共和国行政许可法》第十二条第一款第（一）项：直接涉及……",
                &wrap,
            )
            .unwrap();
        sheet
            .write_string_with_format(
                r,
                5,
                "1.受理责任：公示材料目录。\n2.审查责任：审查申请材料。",
                &wrap,
            )
            .unwrap();
        sheet
            .write_string_with_format(
                r,
                6,
                "1.对符合法定条件的申请不予受理的；\n2.超越法定职权作出准予许可决定的。",
                &wrap,
            )
            .unwrap();
        sheet.write_string(r, 7, "20个工作日").unwrap();
    }
    // A blank row, then a row with only a 序号 (both passed over).
    sheet.write_string(5, 0, "3").unwrap();
    let penalties = book.add_worksheet();
    penalties.set_name("行政处罚").unwrap();
    for (c, h) in ["序号", "事项名称", "处罚依据", "实施主体", "行政区划"]
        .iter()
        .enumerate()
    {
        penalties.write_string(0, c as u16, *h).unwrap();
    }
    penalties.write_string(1, 0, "1").unwrap();
    penalties
        .write_string(1, 1, "对未取得道路运输经营许可擅自从事道路运输经营的处罚")
        .unwrap();
    penalties
        .write_string(
            1,
            2,
            "《中华人民共和国道路运输条例》第六十三条：违反本条例的规定……",
        )
        .unwrap();
    penalties.write_string(1, 3, "广安区交通运输局").unwrap();
    penalties.write_number(1, 4, 511602).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_real_looking_workbook_reads_as_its_department_wrote_it() {
    let bytes = real_looking_workbook();
    let (report, valid) = read_items(&xlsx(&bytes), &defaults(), &options());
    assert_eq!(report.errors(), 0, "{:#?}", report.problems);
    let names: Vec<&str> = valid.iter().map(|(_, r)| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "道路运输经营许可",
            "道路旅客运输经营许可",
            "道路货物运输经营许可",
            "对未取得道路运输经营许可擅自从事道路运输经营的处罚"
        ]
    );
    let passenger = &valid[1].1;
    assert_eq!(passenger.category, "licensing");
    assert_eq!(
        passenger.parent_code.as_deref(),
        Some(valid[0].1.code.as_str())
    );
    assert_eq!(passenger.legal_bases.len(), 2);
    assert_eq!(
        passenger.legal_bases[0].version.as_deref(),
        Some("2023-07-20")
    );
    assert_eq!(
        passenger.legal_bases[1].article.as_deref(),
        Some("第十二条第一款第（一）项")
    );
    assert_eq!(passenger.responsibilities[1].stage, "审查责任");
    assert_eq!(passenger.accountability.len(), 2);
    let limit = passenger.time_limit.as_ref().unwrap();
    assert_eq!(
        (limit.statutory_days, limit.unit.as_deref()),
        (Some(20), Some("工作日"))
    );
    let penalty = &valid[3].1;
    assert_eq!(
        penalty.category, "penalty",
        "the sheet's name is the category"
    );
    assert_eq!(penalty.legal_bases[0].role, "处罚依据");
    assert_eq!(penalty.department.region, "511602");
    // The title row's header-looking merge and the unknown 备注 variant are said, not lost.
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.to_string().starts_with("许可!I2: 提示：不认识的列"))
    );
}

#[test]
fn csv_in_gbk_with_a_title_row_reads_the_same_as_utf8() {
    let text = "广安区交通运输局权力清单\r\n序号,权力类型,事项名称,设定依据\r\n1,许可,道路旅客运输经营许可,《中华人民共和国道路运输条例》第十条\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let read = |bytes: &[u8]| {
        read_items(
            &SheetFile {
                bytes,
                format: SheetFormat::Csv,
                name: "清单.csv",
            },
            &defaults(),
            &options(),
        )
    };
    let (report, from_gbk) = read(&gbk);
    assert_eq!(report.errors(), 0, "{:#?}", report.problems);
    let (_, from_utf8) = read(text.as_bytes());
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let (_, from_bom) = read(&bom);
    assert_eq!(from_gbk[0].1, from_utf8[0].1);
    assert_eq!(from_bom[0].1, from_utf8[0].1);
    assert_eq!(from_gbk[0].1.name, "道路旅客运输经营许可");
    assert_eq!(from_gbk[0].1.legal_bases[0].role, "设定依据");
}

#[test]
fn a_broken_sheet_says_which_cell_and_writes_nothing() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Sheet1").unwrap();
        let rows = [
            ["序号", "事项名称", "权力分类", "实施依据", "行政区划代码"],
            ["1", "道路旅客运输经营许可", "行政许可", "", "511602"],
            ["2", "某某监管", "行政监管", "", "511602"],
            ["3", "", "行政许可", "", "511602"],
            ["4", "某某登记", "行政确认", "", "99"],
            ["5", "某某备案", "其他", "依照有关规定办理", "511602"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        let report = import_items_sheet(&db, &xlsx(&bytes), &defaults(), &options()).unwrap();
        let lines: Vec<String> = report
            .problems
            .iter()
            .filter(|p| p.is_error())
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "Sheet1!C3: 未知的权力分类“行政监管”（应为行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务之一）",
                "Sheet1!B4: 事项名称为空",
                "Sheet1!E5: “行政区划代码”应为6位或12位数字（GB/T 2260），实为\"99\"",
                "Sheet1!D6: 依据无法识别：找不到《法规名称》：“依照有关规定办理”",
            ]
            .map(String::from),
            "{}",
            t.backend.name()
        );
        assert!(!report.committed);
        let mut conn = db.conn().unwrap();
        assert!(
            quanze_registry::repo::items::count_items_by_status(&mut conn)
                .unwrap()
                .is_empty(),
            "nothing written"
        );
    }
}

/// The publish guard at import: a resident ID number in a remark and a clerk's mobile as the
/// consultation line are refused at their cells; the office landline and 12345 pass; nothing is
/// written.
#[test]
fn personal_data_in_a_sheet_is_refused_at_its_cell() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Sheet1").unwrap();
        let rows = [
            [
                "序号",
                "事项名称",
                "权力分类",
                "咨询电话",
                "备注",
                "行政区划代码",
            ],
            [
                "1",
                "道路旅客运输经营许可",
                "行政许可",
                "0826-2345678；12345",
                "",
                "511602",
            ],
            [
                "2",
                "道路货物运输经营许可",
                "行政许可",
                "138 1234 5678（王科长）",
                "",
                "511602",
            ],
            [
                "3",
                "出租汽车经营许可",
                "行政许可",
                "",
                "经办人身份证11010519491231002X",
                "511602",
            ],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        let report = import_items_sheet(&db, &xlsx(&bytes), &defaults(), &options()).unwrap();
        let lines: Vec<String> = report
            .problems
            .iter()
            .filter(|p| p.is_error())
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "Sheet1!D3: “咨询电话”含有个人手机号码（138…5678），个人信息不得公开，请删除或改为单位办公电话、邮箱",
                "Sheet1!E4: “备注”含有居民身份证号码（110…002X），个人信息不得公开，请删除或改为单位办公电话、邮箱",
            ]
            .map(String::from),
            "{}",
            t.backend.name()
        );
        assert!(!report.committed);
        let mut conn = db.conn().unwrap();
        assert!(
            quanze_registry::repo::items::count_items_by_status(&mut conn)
                .unwrap()
                .is_empty(),
            "nothing written"
        );
    }
}

fn demo_records() -> Vec<PowerItemRecord> {
    let mut out = Vec::new();
    for file in [
        "transport",
        "traffic-police",
        "market-regulation",
        "guangan-511602-services",
    ] {
        let path = repo_root().join(format!("demo/items/{file}.ndjson"));
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let record: PowerItemRecord = serde_json::from_str(line).unwrap();
            let mut checker = Checker::default();
            out.push(validate_item(&record, &mut checker).unwrap());
        }
    }
    out
}

#[test]
fn the_demo_lists_round_trip_through_xlsx_and_csv() {
    let records = demo_records();
    // XLSX, as export writes it, read back by the importer.
    let mut book = quanze_registry::sheet::write::XlsxItems::new().unwrap();
    for (i, r) in records.iter().enumerate() {
        book.push(&quanze_registry::sheet::write::record_cells(
            &(i + 1).to_string(),
            r,
        ))
        .unwrap();
    }
    let bytes = book.finish().unwrap();
    let (report, valid) = read_items(&xlsx(&bytes), &SheetDefaults::default(), &options());
    assert_eq!(
        report.errors(),
        0,
        "{:#?}",
        &report.problems[..report.problems.len().min(5)]
    );
    // The seven real credit codes with a wrong check character warn, as they do in NDJSON.
    assert!(
        report.problems.iter().all(|p| p.field == "department.uscc"),
        "{:#?}",
        report.problems
    );
    assert_eq!(report.warnings(), 7);
    let back: Vec<&PowerItemRecord> = valid.iter().map(|(_, r)| r).collect();
    assert_eq!(back.len(), records.len());
    for (a, b) in records.iter().zip(back) {
        assert_eq!(a, b, "{}", a.code);
    }
}

#[test]
fn export_then_import_of_the_demo_changes_nothing_on_both_backends() {
    for t in TestDatabase::each() {
        let db = open(&t);
        for file in ["transport", "traffic-police", "market-regulation"] {
            let path = repo_root().join(format!("demo/items/{file}.ndjson"));
            let input = std::io::BufReader::new(std::fs::File::open(path).unwrap());
            let report =
                quanze_registry::import::items::import_items_ndjson(&db, input, &options())
                    .unwrap();
            assert_eq!(report.errors(), 0);
        }
        let filter = ItemFilter {
            status: Some("published".into()),
            ..Default::default()
        };
        for format in [SheetFormat::Xlsx, SheetFormat::Csv] {
            let mut out = Vec::new();
            let written = match format {
                SheetFormat::Xlsx => {
                    quanze_registry::export::export_items_xlsx(&db, &filter, &mut out).unwrap()
                }
                SheetFormat::Csv => {
                    quanze_registry::export::export_items_csv(&db, &filter, &mut out).unwrap()
                }
            };
            assert_eq!(written, 254);
            let file = SheetFile {
                bytes: &out,
                format,
                name: "导出.xlsx",
            };
            let report =
                import_items_sheet(&db, &file, &SheetDefaults::default(), &options()).unwrap();
            assert_eq!(report.errors(), 0, "{:#?}", report.problems);
            assert_eq!(
                (report.created, report.updated, report.unchanged),
                (0, 0, 254),
                "{format:?} on {}",
                t.backend.name()
            );
        }
    }
}

/// Citations the registry cannot link are kept and said: a law it does not hold, an article
/// the law does not have (第10条 and 第十条 alike resolve).
#[test]
fn unresolved_citations_are_warnings_at_their_cell() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = open(&t);
    quanze_registry::import::laws::import_law_tree(&db, &repo_root().join("demo/laws")).unwrap();
    let text = "事项名称,权力分类,实施依据\n某许可,行政许可,\"《中华人民共和国道路运输条例》第10条\n《中华人民共和国道路运输条例》第九百条\n《某某市客运管理办法》第三条\"\n";
    let file = SheetFile {
        bytes: text.as_bytes(),
        format: SheetFormat::Csv,
        name: "清单.csv",
    };
    let report = import_items_sheet(&db, &file, &defaults(), &options()).unwrap();
    assert!(report.committed, "{:#?}", report.problems);
    let lines: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "清单!C2: 提示：依据第2项：《中华人民共和国道路运输条例》中没有第九百条，已保留，未链接到法条原文",
            "清单!C2: 提示：依据第3项：登记库中没有《某某市客运管理办法》，已保留，未链接到法条原文",
        ]
    );
}
