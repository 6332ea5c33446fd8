#!/usr/bin/env python3
"""Generate the demo power lists (权力清单) and responsibility lists (责任清单) of two
departments of the fictional city 临江市 (region 519900, 四川省):

  * 临江市公安局交通警察支队   -> demo/items/traffic-police.ndjson
  * 临江市市场监督管理局       -> demo/items/market-regulation.ndjson
  * one line per department appended to demo/responsibilities.ndjson

The item definitions below are hand-written; every quoted article text is read from the
law files under demo/laws/ (LawRefBook layout).  When the shared law tree
(/work/shared/data/laws, or $QUANZE_LAWS_SRC) is available, the cited files are first
copied unchanged into demo/laws/ so that a fresh clone can re-run this script.

Usage:
  python3 demo/tools/gen_police_market.py            # write items, append responsibilities
  python3 demo/tools/gen_police_market.py --dry-run  # write everything under /tmp instead
"""
import argparse
import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.dirname(HERE)
LAWS_DIR = os.path.join(DEMO, "laws")
SHARED = os.environ.get("QUANZE_LAWS_SRC", "/work/shared/data/laws")

# ---------------------------------------------------------------------------
# Law files
# ---------------------------------------------------------------------------
LAWFILES = {
    "jt": "行政法/道路交通安全法(2021-04-29).md",
    "jtss": "行政法规/道路交通安全法实施条例(2017-10-07).md",
    "djgd": "部门规章/公安部/机动车登记规定(2021-12-17).md",
    "jsz": "部门规章/公安部/机动车驾驶证申领和使用规定(2021-12-17).md",
    "sggd": "部门规章/公安部/道路交通事故处理程序规定(2018-02-02).md",
    "cf": "行政法/行政处罚法(2021-01-22).md",
    "xk": "行政法/行政许可法(2019-04-23).md",
    "qz": "行政法/行政强制法(2011-06-30).md",
    "sp": "行政法/食品安全法(2021-04-29).md",
    "spss": "行政法规/食品安全法实施条例(2019-10-11).md",
    "cp": "经济法/产品质量法(2018-12-29).md",
    "jg": "经济法/价格法(1997-12-29).md",
    "fbzd": "经济法/反不正当竞争法(2019-04-23).md",
    "gg": "经济法/广告法(2021-04-29).md",
    "jl": "经济法/计量法(2018-10-26).md",
    "jlss": "行政法规/计量法实施细则(2022-03-29).md",
    "xb": "民法商法/消费者权益保护法(2013-10-25).md",
    "tz": "社会法/特种设备安全法(2013-06-29).md",
    "sczt": "行政法规/市场主体登记管理条例(2021-07-27).md",
    "gl": "经济法/公路法(2017-11-04).md",
    "dlys": "行政法规/道路运输条例(2023-07-20).md",
}

ART_RE = re.compile(r"^(第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)[ \u3000]")


def parse_law(path):
    """Return (title, {article: text}) of one LawRefBook Markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[0].startswith("# "), path
    title = lines[0][2:].strip()
    arts, cur, started = {}, None, False
    for ln in lines[1:]:
        if "<!-- INFO END -->" in ln:
            started = True
            continue
        if not started:
            continue
        s = ln.strip()
        if not s:
            continue
        if s.startswith("#"):
            cur = None
            continue
        m = ART_RE.match(s)
        if m:
            cur = m.group(1)
            if cur in arts:
                raise ValueError(f"duplicate article {cur} in {path}")
            arts[cur] = [s]
        elif cur:
            arts[cur].append(s)
    return title, {k: "\n".join(v) for k, v in arts.items()}


LAWS = {}  # key -> dict(title, version, rel, arts)
USED = set()  # law keys actually cited


def load_laws():
    for key, rel in LAWFILES.items():
        dst = os.path.join(LAWS_DIR, rel)
        src = os.path.join(SHARED, rel)
        if os.path.exists(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if not os.path.exists(dst) or open(src, "rb").read() != open(dst, "rb").read():
                shutil.copyfile(src, dst)
        title, arts = parse_law(dst)
        version = re.search(r"\((\d{4}-\d{2}-\d{2})\)\.md$", rel).group(1)
        LAWS[key] = dict(title=title, version=version, rel=rel, arts=arts)


def text(key, art):
    law = LAWS[key]
    if art not in law["arts"]:
        raise KeyError(f"{law['title']}({law['version']}) has no {art}")
    USED.add(key)
    return law["arts"][art]


def ref(*groups):
    """ref(("cf", "第五十四条", "第五十五条"), ("jt", "第一百零七条")) -> citation string."""
    out = []
    for g in groups:
        key, arts = g[0], g[1:]
        for a in arts:
            text(key, a)  # existence check
        out.append(f"《{LAWS[key]['title']}》" + "、".join(arts))
    return "；".join(out)


def lb(role, key, *arts):
    return [
        {"role": role, "law": LAWS[key]["title"], "version": LAWS[key]["version"],
         "article": a, "text": text(key, a)}
        for a in arts
    ]


def bases(spec):
    out = []
    for role, key, *arts in spec:
        out += lb(role, key, *arts)
    return out


# ---------------------------------------------------------------------------
# Departments
# ---------------------------------------------------------------------------
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17):
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    v = 31 - total % 31
    return first17 + ALPHABET[0 if v == 31 else v]


REGION = "519900"
LETTER = {"licensing": "A", "penalty": "B", "enforcement": "C", "levy": "D",
          "adjudication": "E", "confirmation": "F", "payment": "G", "reward": "H",
          "inspection": "I", "other": "Z"}

REMEDIES = [
    {"kind": "行政复议", "body": "临江市人民政府",
     "time_limit": "自知道或者应当知道该行政行为之日起60日内"},
    {"kind": "行政诉讼", "body": "有管辖权的人民法院",
     "time_limit": "自知道或者应当知道作出行政行为之日起6个月内"},
]


class Dept:
    def __init__(self, name, first17, no, consultation, supervision):
        self.name = name
        self.uscc = uscc(first17)
        self.no = no
        self.consultation = consultation
        self.supervision = supervision
        self.seq = {}
        self.items = []
        self.names = set()

    @property
    def obj(self):
        return {"name": self.name, "uscc": self.uscc, "region": REGION}

    def code(self, category, parent=None):
        if parent is None:
            n = self.seq.get(category, 0) + 1
            self.seq[category] = n
            base = f"519{LETTER[category]}{self.no}{n:03d}00"
        else:
            pbase = parent["base_code"]
            sub = parent.setdefault("_subs", 0) + 1
            parent["_subs"] = sub
            base = pbase[:-2] + f"{sub:02d}"
        return base, f"{base}-{REGION}000000-000-{self.uscc}-1-00"

    def add(self, category, name, *, parent=None, **fields):
        if name in self.names:
            raise ValueError(f"duplicate name {name}")
        self.names.add(name)
        base, code = self.code(category, parent)
        item = {"code": code, "base_code": base, "name": name, "category": category}
        if parent is not None:
            item["parent_code"] = parent["code"]
        item["department"] = self.obj
        item.update({k: v for k, v in fields.items() if v not in (None, [], {})})
        item.setdefault("power_source", "法定本级行使")
        item.setdefault("consultation", self.consultation)
        item.setdefault("supervision", self.supervision)
        item.setdefault("remedies", REMEDIES)
        item.setdefault("effective_from", "2025-01-01")
        self.items.append(item)
        return item


TP = Dept("临江市公安局交通警察支队", "11519900MB0000002", "02",
          "临江市公安局交通警察支队（临江市滨江大道188号）咨询电话：0826-1234501；交通安全综合服务管理平台“交管12123”",
          "临江市公安局交通警察支队法制科：0826-1234502；临江市公安局督察支队：0826-1234503；12345政务服务便民热线")
MR = Dept("临江市市场监督管理局", "11519900MB0000003", "03",
          "临江市市场监督管理局（临江市政务服务中心二楼市场监管窗口）咨询电话：0826-1234511",
          "临江市市场监督管理局法规科：0826-1234512；投诉举报：12315；12345政务服务便民热线")

ORDER = ["受理", "审查", "决定", "送达"]


# ---------------------------------------------------------------------------
# Shared responsibility / accountability templates
# ---------------------------------------------------------------------------
def pen_workflow(d):
    if d is TP:
        a = ["执勤民警/秩序管理科", "办案民警（两名以上）", "法制科", "办案单位", "支队负责人（情节复杂或者重大违法行为集体讨论）", "办案单位", "办案单位、代收罚款银行"]
        t = [3, 30, 7, 5, 7, 7, 15]
    else:
        a = ["综合行政执法支队/业务科室", "执法人员（两名以上）", "法规科（法制审核）", "办案机构", "局负责人（情节复杂或者重大违法行为集体讨论）", "办案机构", "办案机构、代收罚款银行"]
        t = [15, 45, 10, 5, 10, 7, 15]
    desc = [
        "对检查发现、投诉举报、技术监控记录、其他部门移送的违法线索进行核查，符合立案标准的予以立案",
        "两名以上执法人员出示执法证件，询问当事人，收集书证、物证、视听资料、电子数据等证据，制作笔录",
        "对案件事实、证据、定性、法律适用、程序及裁量进行审查，依法进行法制审核",
        "告知拟作出的行政处罚内容及事实、理由、依据，以及陈述、申辩、要求听证的权利",
        "依法作出行政处罚、不予行政处罚或者移送司法机关的决定，制作行政处罚决定书",
        "当场交付或者在七日内依照民事诉讼法有关规定送达行政处罚决定书",
        "当事人自收到决定书之日起十五日内缴纳罚款；逾期不履行的依法加处罚款或者申请人民法院强制执行",
    ]
    stages = ["立案", "调查取证", "审查", "告知", "决定", "送达", "执行"]
    return [{"stage": s, "description": x, "actor": y, "time_limit_days": z}
            for s, x, y, z in zip(stages, desc, a, t)]


def pen_resp(d):
    extra_decide = ref(("jt", "第一百零七条")) if d is TP else None
    extra_exec = ref(("jt", "第一百零八条", "第一百零九条")) if d is TP else None
    r = [
        ("立案责任", "对通过监督检查、投诉举报、交通技术监控、其他部门移送等途径发现的违法行为，全面、客观、公正地调查核实；符合立案标准的及时立案，不符合的说明理由。", ref(("cf", "第五十四条"))),
        ("调查责任", "指定两名以上具有行政执法资格的执法人员调查取证，主动出示执法证件，制作询问、检查笔录；证据可能灭失的依法先行登记保存；与案件有利害关系的执法人员应当回避。", ref(("cf", "第四十二条", "第四十三条", "第五十五条", "第五十六条"))),
        ("审查责任", "对调查结果进行审查，区分情况作出处罚、不予处罚或者移送司法机关的意见；涉及重大公共利益、经过听证或者案情疑难复杂的案件，未经法制审核不得作出决定，情节复杂或者重大违法行为由负责人集体讨论。", ref(("cf", "第五十七条", "第五十八条"))),
        ("告知责任", "作出行政处罚决定前，告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利；充分听取并复核当事人意见，不得因陈述、申辩加重处罚。", ref(("cf", "第四十四条", "第四十五条", "第六十三条", "第六十四条"))),
        ("决定责任", "制作载明违法事实和证据、处罚种类和依据、履行方式和期限、救济途径的行政处罚决定书并加盖印章；自立案之日起九十日内作出决定；适用简易程序的依法当场作出。", ref(("cf", "第五十九条", "第六十条")) + ("；" + extra_decide if extra_decide else "")),
        ("送达责任", "行政处罚决定书在宣告后当场交付当事人；当事人不在场的，在七日内依照民事诉讼法的有关规定送达；经当事人同意可以电子方式送达。", ref(("cf", "第六十一条"))),
        ("执行责任", "实行罚款决定与罚款收缴分离，督促当事人按期履行；到期不缴纳罚款的每日按罚款数额的百分之三加处罚款，依法申请人民法院强制执行；具有一定社会影响的处罚决定依法公开。", ref(("cf", "第四十八条", "第六十七条", "第七十二条")) + ("；" + extra_exec if extra_exec else "")),
    ]
    return [{"stage": s, "duty": x, "basis": b} for s, x, b in r]


def pen_acc():
    return [
        ("没有法定的行政处罚依据，或者擅自改变行政处罚种类、幅度的", ref(("cf", "第七十六条"))),
        ("违反法定的行政处罚程序，或者执法人员未取得执法证件实施处罚的", ref(("cf", "第七十六条"))),
        ("对符合立案标准的案件不及时立案的", ref(("cf", "第七十六条"))),
        ("自行收缴罚款，或者截留、私分、变相私分罚款、没收的违法所得或者财物的", ref(("cf", "第七十八条", "第七十九条"))),
        ("执法人员利用职务上的便利索取或者收受他人财物、将收缴罚款据为己有的", ref(("cf", "第七十九条"))),
        ("对应当依法移交司法机关追究刑事责任的案件不移交，以行政处罚代替刑事处罚的", ref(("cf", "第八十二条"))),
        ("对应当予以制止和处罚的违法行为不予制止、处罚，致使公民、法人或者其他组织的合法权益、公共利益和社会秩序遭受损害的", ref(("cf", "第八十三条"))),
    ]


ACC_BY_LAW = {
    "jt": ("交通警察违法扣留车辆、机动车行驶证、驾驶证、车辆号牌，当场收取罚款不开具罚款收据或者不如实填写罚款额，或者不履行法定职责的", ("jt", "第一百一十五条")),
    "jtss": ("越权执法、延迟履行职责或者擅自改变处罚种类和幅度的", ("jtss", "第九十九条")),
    "sp": ("不履行食品安全监督管理职责，对查处食品安全违法行为不配合，或者滥用职权、玩忽职守、徇私舞弊的", ("sp", "第一百四十五条")),
    "spss": ("不履行食品安全监督管理职责，对查处食品安全违法行为不配合，或者滥用职权、玩忽职守、徇私舞弊的", ("sp", "第一百四十五条")),
    "cp": ("市场监督管理部门的工作人员滥用职权、玩忽职守、徇私舞弊的", ("cp", "第六十八条")),
    "gg": ("对在广告监测中发现的或者经投诉、举报的违法广告行为不依法予以查处的", ("gg", "第七十二条")),
    "tz": ("发现特种设备生产、经营、使用违法行为不予查处，或者有其他滥用职权、玩忽职守、徇私舞弊行为的", ("tz", "第九十四条")),
    "jg": ("价格工作人员泄露国家秘密、商业秘密以及滥用职权、徇私舞弊、玩忽职守、索贿受贿的", ("jg", "第四十六条")),
    "fbzd": ("监督检查部门的工作人员滥用职权、玩忽职守、徇私舞弊或者泄露调查过程中知悉的商业秘密的", ("fbzd", "第三十条")),
    "jl": ("计量监督人员违法失职的", ("jl", "第二十九条")),
    "jlss": ("计量监督管理人员违法失职、徇私舞弊的", ("jlss", "第五十二条")),
    "sczt": ("登记机关及其工作人员未履行职责或者履行职责不当的", ("sczt", "第五十条")),
    "xb": ("国家机关工作人员玩忽职守或者包庇经营者侵害消费者合法权益的行为的", ("xb", "第六十一条")),
}


def law_acc(keys):
    out, seen = [], set()
    for k in keys:
        if k in ACC_BY_LAW:
            c, g = ACC_BY_LAW[k]
            if c not in seen:
                seen.add(c)
                out.append((c, ref(g)))
    return out


def acc_list(pairs):
    return [{"circumstance": c, "basis": b} for c, b in pairs]


def std_exemptions(extra=()):
    out = [
        ("不予处罚", "违法行为轻微并及时改正，没有造成危害后果的；初次违法且危害后果轻微并及时改正的，可以不予处罚；当事人有证据足以证明没有主观过错的", ref(("cf", "第三十三条"))),
        ("从轻处罚", "主动消除或者减轻违法行为危害后果，受他人胁迫或者诱骗实施违法行为，主动供述行政机关尚未掌握的违法行为，或者配合查处有立功表现的，应当从轻或者减轻处罚", ref(("cf", "第三十二条"))),
    ]
    out += list(extra)
    return [{"kind": k, "conditions": c, "basis": b} for k, c, b in out]


def penalty(d, violation, spec, tiers, office, *, name=None, exemptions=(), levels=("city", "county"),
            remarks=None, joint=None, std_exempt=True):
    name = name or f"对{violation}的处罚"
    pkeys = [s[1] for s in spec]
    pen_basis = ref(*[(s[1], *s[2:]) for s in spec if s[0] == "处罚依据"])
    disc = []
    for t in tiers:
        tier, cond, sanction = t[0], t[1], t[2]
        e = {"violation": violation, "tier": tier, "conditions": cond, "sanction": sanction,
             "basis": t[3] if len(t) > 3 else pen_basis}
        disc.append(e)
    return d.add(
        "penalty", name,
        undertaking_office=office,
        joint_departments=joint,
        exercise_levels=list(levels),
        time_limit={"statutory_days": 90, "unit": "自然日",
                    "note": "自立案之日起九十日内作出行政处罚决定；依法适用简易程序的当场作出决定"},
        fee={"charged": False},
        legal_bases=bases(spec),
        workflow=pen_workflow(d),
        responsibilities=pen_resp(d),
        accountability=acc_list(pen_acc() + law_acc(pkeys)),
        discretion=disc,
        exemptions=std_exemptions(exemptions) if std_exempt else None,
        remarks=remarks,
    )


# ---- licensing --------------------------------------------------------------
def lic_workflow(d, days, actor_accept, actor_review, actor_decide):
    t = days
    return [
        {"stage": "受理", "description": "窗口或者网上办理平台接收申请材料，材料齐全、符合法定形式的予以受理；需要补正的一次性告知", "actor": actor_accept, "time_limit_days": t[0]},
        {"stage": "审查", "description": "对申请材料进行审查，需要核实实质内容的指派两名以上工作人员现场核查或者查验", "actor": actor_review, "time_limit_days": t[1]},
        {"stage": "决定", "description": "符合法定条件、标准的作出准予许可的书面决定；不予许可的说明理由并告知复议、诉讼权利", "actor": actor_decide, "time_limit_days": t[2]},
        {"stage": "送达", "description": "颁发、送达许可证件或者证照，可以邮寄送达；准予许可的决定依法公开", "actor": actor_accept, "time_limit_days": t[3]},
    ]


def lic_resp(d, extra_review=None, extra_supervise=None):
    r = [
        ("受理责任", "公示许可事项的依据、条件、数量、程序、期限和申请材料目录；依法受理或者不予受理申请，申请材料不齐全或者不符合法定形式的当场或者在五日内一次告知需要补正的全部内容，出具书面凭证。", ref(("xk", "第三十条", "第三十二条"))),
        ("审查责任", "对申请材料进行审查；需要对实质内容进行核实的，指派两名以上工作人员核查；直接关系他人重大利益的告知利害关系人并听取意见。", ref(("xk", "第三十四条", "第三十六条")) + ("；" + extra_review if extra_review else "")),
        ("决定责任", "在法定期限内作出准予或者不予许可的书面决定；不予许可的说明理由，并告知申请行政复议或者提起行政诉讼的权利。", ref(("xk", "第三十七条", "第三十八条", "第四十二条"))),
        ("送达责任", "自作出决定之日起十日内颁发、送达加盖本机关印章的许可证件；准予许可的决定予以公开。", ref(("xk", "第三十九条", "第四十条", "第四十四条"))),
        ("事后监管责任", "通过核查材料、抽样检查、实地检查等方式对被许可人从事许可事项的活动进行监督检查，记录检查情况和处理结果并归档。", ref(("xk", "第六十一条", "第六十二条")) + ("；" + extra_supervise if extra_supervise else "")),
    ]
    return [{"stage": s, "duty": x, "basis": b} for s, x, b in r]


def lic_acc(extra=()):
    pairs = [
        ("对符合法定条件的许可申请不予受理，或者申请材料不齐全、不符合法定形式不一次告知需要补正的全部内容的", ref(("xk", "第七十二条"))),
        ("在受理、审查、决定过程中未向申请人、利害关系人履行法定告知义务，或者未依法说明不受理申请、不予许可理由的", ref(("xk", "第七十二条"))),
        ("对不符合法定条件的申请人准予许可或者超越法定职权作出准予许可决定的", ref(("xk", "第七十四条"))),
        ("对符合法定条件的申请人不予许可或者不在法定期限内作出准予许可决定的", ref(("xk", "第七十四条"))),
        ("擅自收费或者不按照法定项目和标准收费，截留、挪用、私分收取的费用的", ref(("xk", "第七十五条"))),
        ("办理许可、实施监督检查时索取或者收受他人财物、谋取其他利益的", ref(("xk", "第七十三条"))),
        ("不依法履行监督职责或者监督不力，造成严重后果的", ref(("xk", "第七十七条"))),
    ]
    return acc_list(pairs + list(extra))


def licensing(d, name, spec, *, office, statutory, promised, note=None, fee=None, parent=None,
              days=(1, 2, 1, 1), actors=None, levels=("city", "county"), extra_review=None,
              extra_supervise=None, extra_acc=(), remarks=None, joint=None):
    actors = actors or ("政务服务窗口", office, "分管负责人")
    tl = {"statutory_days": statutory, "promised_days": promised, "unit": "工作日"}
    if note:
        tl["note"] = note
    return d.add(
        "licensing", name, parent=parent,
        undertaking_office=office,
        joint_departments=joint,
        exercise_levels=list(levels),
        time_limit=tl,
        fee=fee or {"charged": False, "basis": ref(("xk", "第五十八条"))},
        legal_bases=bases(spec),
        workflow=lic_workflow(d, days, *actors),
        responsibilities=lic_resp(d, extra_review, extra_supervise),
        accountability=lic_acc(extra_acc),
        remarks=remarks,
    )


# ---- enforcement ------------------------------------------------------------
def enf(d, name, spec, *, office, person=False, statutory=None, note=None, levels=("city", "county"),
        extra_impl=None, remarks=None, acc_extra=()):
    if person:
        impl = ("实施责任", "由两名以上具有执法资格的人民警察出示证件实施；当场告知或者实施后立即通知当事人家属实施机关、地点和期限；不得超过法定期限，目的已经达到或者条件消失的立即解除。", ref(("qz", "第十八条", "第二十条")))
        handle = ("解除责任", "被约束人酒醒或者实施强制措施的条件消失后立即解除，并记录解除时间；涉嫌犯罪的依法移送。", ref(("qz", "第二十条", "第二十一条")))
    else:
        impl = ("实施责任", "由两名以上执法人员出示执法证件实施，制作现场笔录，当场交付强制措施决定书（凭证）和清单；对被扣留、扣押的车辆或者财物妥善保管，不得使用或者损毁。", ref(("qz", "第十八条", "第二十四条", "第二十六条")) + ("；" + extra_impl if extra_impl else ""))
        handle = ("处置责任", "在法定期限内查清事实、作出处理决定；违法行为已经处理、期限届满或者不再需要采取措施的，及时解除并退还财物。", ref(("qz", "第二十七条", "第二十八条")))
    r = [
        ("审批责任", "实施前向行政机关负责人报告并经批准；情况紧急需要当场实施的，在二十四小时内向负责人报告并补办批准手续，负责人认为不应当采取的立即解除。", ref(("qz", "第十八条", "第十九条"))),
        ("告知责任", "通知当事人到场，当场告知采取行政强制措施的理由、依据以及当事人依法享有的权利、救济途径，听取当事人的陈述和申辩。", ref(("qz", "第十八条"))),
        impl,
        handle,
        ("事后监管责任", "对实施情况全过程记录归档，接受上级机关和法制部门的执法监督。", ref(("cf", "第四十七条"))),
    ]
    wf = [
        {"stage": "审批", "description": "执法人员报告并经负责人批准；情况紧急的当场实施后二十四小时内补办批准手续", "actor": "执法人员、负责人", "time_limit_days": 1},
        {"stage": "告知", "description": "通知当事人到场，告知理由、依据、权利和救济途径，听取陈述申辩", "actor": "执法人员（两名以上）", "time_limit_days": 1},
        {"stage": "实施", "description": "制作现场笔录，当场交付决定书（凭证）和清单", "actor": "执法人员（两名以上）", "time_limit_days": 1},
        {"stage": "处理", "description": "在法定期限内作出处理决定或者解除决定，退还财物", "actor": office, "time_limit_days": statutory or 1},
    ]
    tl = None
    if statutory:
        tl = {"statutory_days": statutory, "unit": "自然日"}
        if note:
            tl["note"] = note
    pkeys = [s[1] for s in spec]
    accs = [
        ("没有法律、法规依据，改变行政强制对象、条件、方式，或者违反法定程序实施行政强制的", ref(("qz", "第六十一条"))),
        ("扩大查封、扣押范围，使用或者损毁被查封、扣押、扣留的财物，或者在法定期间不作出处理决定、未依法及时解除的", ref(("qz", "第六十二条"))),
        ("截留、私分或者变相私分查封、扣押的财物，或者将其据为己有的", ref(("qz", "第六十三条"))),
        ("利用行政强制权为单位或者个人谋取利益的", ref(("qz", "第六十四条"))),
    ] + law_acc(pkeys) + list(acc_extra)
    return d.add(
        "enforcement", name,
        undertaking_office=office,
        exercise_levels=list(levels),
        time_limit=tl,
        fee={"charged": False},
        legal_bases=bases(spec),
        workflow=wf,
        responsibilities=[{"stage": s, "duty": x, "basis": b} for s, x, b in r],
        accountability=acc_list(accs),
        remarks=remarks,
    )


# ---- inspection -------------------------------------------------------------
def inspection(d, name, spec, *, office, plan_basis, publish_basis, levels=("city", "county"),
               remarks=None, check_desc=None):
    r = [
        ("检查计划责任", "根据风险分级和年度监督检查计划确定检查对象、重点和频次，采取随机抽取检查对象、随机选派执法检查人员的方式组织检查。", plan_basis),
        ("检查实施责任", check_desc or "两名以上执法人员主动出示执法证件，依法进入现场检查，查阅、复制有关资料，如实制作检查笔录。", ref(("cf", "第五十五条"))),
        ("处置责任", "对检查发现的问题责令改正；违法行为依法立案查处，涉嫌犯罪的移送司法机关。", ref(("cf", "第五十四条", "第五十七条"))),
        ("信息公开责任", "依法公开检查结果，记入监管对象信用记录。", publish_basis),
    ]
    wf = [
        {"stage": "制定计划", "description": "确定检查对象、事项和频次，随机抽取检查对象、随机选派检查人员", "actor": office, "time_limit_days": 5},
        {"stage": "实施检查", "description": "出示执法证件，现场检查、询问、查阅复制资料或者抽样，制作检查笔录", "actor": "执法人员（两名以上）", "time_limit_days": 10},
        {"stage": "结果处理", "description": "责令改正、立案查处或者移送", "actor": office, "time_limit_days": 10},
        {"stage": "结果公示", "description": "在规定期限内向社会公开检查结果", "actor": office, "time_limit_days": 20},
    ]
    pkeys = [s[1] for s in spec]
    accs = [("违法实施检查措施，给公民人身或者财产造成损害、给法人或者其他组织造成损失的", ref(("cf", "第八十一条")))] + law_acc(pkeys)
    return d.add(
        "inspection", name,
        undertaking_office=office,
        exercise_levels=list(levels),
        fee={"charged": False},
        legal_bases=bases(spec),
        workflow=wf,
        responsibilities=[{"stage": s, "duty": x, "basis": b} for s, x, b in r],
        accountability=acc_list(accs),
        remarks=remarks,
    )


def generic(d, category, name, spec, *, office, workflow, resp, acc, time_limit=None,
            levels=("city", "county"), remarks=None, fee=None):
    return d.add(
        category, name,
        undertaking_office=office,
        exercise_levels=list(levels),
        time_limit=time_limit,
        fee=fee or {"charged": False},
        legal_bases=bases(spec),
        workflow=[{"stage": s, "description": x, "actor": a, "time_limit_days": t} for s, x, a, t in workflow],
        responsibilities=[{"stage": s, "duty": x, "basis": b} for s, x, b in resp],
        accountability=acc_list(acc),
        remarks=remarks,
    )


# ===========================================================================
# 临江市公安局交通警察支队
# ===========================================================================
def build_traffic_police():
    d = TP
    JT_LIC_ACC = [("为不符合法定条件的机动车发放登记证书、号牌、行驶证、检验合格标志，为不符合驾驶许可条件、未经考试或者考试不合格人员发放机动车驾驶证，或者故意刁难、拖延办理机动车牌证的", ref(("jt", "第一百一十五条")))]
    PLATE_FEE = {"charged": True, "basis": ref(("jt", "第八十一条")),
                 "standard": "按照国务院价格主管部门、财政部门核定的标准收取机动车号牌、行驶证、登记证书工本费，全部上缴国库"}
    CARS = "车辆管理所"

    # ---- 行政许可 ------------------------------------------------------------
    reg = licensing(
        d, "机动车登记",
        [("设定依据", "jt", "第八条", "第九条", "第十二条"), ("实施依据", "jtss", "第四条", "第十条"),
         ("收费依据", "jt", "第八十一条")],
        office=CARS, statutory=5, promised=1,
        note="道路交通安全法第九条规定自受理申请之日起五个工作日内完成登记审查；证明、凭证齐全有效的当场办理（实施条例第十条）",
        fee=PLATE_FEE, actors=("车辆管理所登记窗口", "车辆管理所查验岗", "车辆管理所"),
        extra_review=ref(("jt", "第十条")), extra_acc=JT_LIC_ACC,
        remarks="机动车登记分为注册登记、变更登记、转移登记、抵押登记和注销登记，各以子项办理。")
    licensing(d, "机动车注册登记", [("设定依据", "jt", "第八条", "第九条"), ("实施依据", "jtss", "第五条")],
              parent=reg, office=CARS, statutory=5, promised=1, fee=PLATE_FEE,
              note="材料齐全有效的当场办理", actors=("车辆管理所登记窗口", "车辆管理所查验岗", "车辆管理所"),
              extra_review=ref(("jt", "第十条")), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车变更登记", [("设定依据", "jt", "第十二条"), ("实施依据", "jtss", "第六条")],
              parent=reg, office=CARS, statutory=5, promised=1, fee=PLATE_FEE,
              actors=("车辆管理所登记窗口", "车辆管理所查验岗", "车辆管理所"), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车转移登记", [("设定依据", "jt", "第十二条"), ("实施依据", "jtss", "第七条")],
              parent=reg, office=CARS, statutory=5, promised=1, fee=PLATE_FEE,
              actors=("车辆管理所登记窗口", "车辆管理所查验岗", "车辆管理所"), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车抵押登记", [("设定依据", "jt", "第十二条"), ("实施依据", "jtss", "第八条")],
              parent=reg, office=CARS, statutory=5, promised=1,
              actors=("车辆管理所登记窗口", "车辆管理所登记岗", "车辆管理所"), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车注销登记", [("设定依据", "jt", "第十二条", "第十四条"), ("实施依据", "jtss", "第九条")],
              parent=reg, office=CARS, statutory=5, promised=1,
              actors=("车辆管理所登记窗口", "车辆管理所登记岗", "车辆管理所"), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车登记证书、号牌、行驶证补领、换领", [("设定依据", "jt", "第八条"), ("实施依据", "jtss", "第十一条"),
                                                  ("收费依据", "jt", "第八十一条")],
              parent=reg, office=CARS, statutory=15, promised=1, fee=PLATE_FEE,
              note="实施条例第十一条规定自收到申请之日起15日内补发", actors=("车辆管理所登记窗口", "车辆管理所档案岗", "车辆管理所"),
              extra_acc=JT_LIC_ACC)

    dl_fee = {"charged": True, "basis": ref(("jt", "第八十一条"), ("jtss", "第一百一十四条")),
              "standard": "按照国家核定的标准收取机动车驾驶证工本费；驾驶许可考试费按照国务院价格主管部门规定的标准收取"}
    dl = licensing(
        d, "机动车驾驶证核发、审验",
        [("设定依据", "jt", "第十九条", "第二十三条"), ("实施依据", "jtss", "第十九条", "第二十一条", "第二十六条"),
         ("收费依据", "jtss", "第一百一十四条")],
        office=CARS, statutory=5, promised=1, fee=dl_fee,
        note="考试合格后5日内核发机动车驾驶证（实施条例第二十一条）",
        actors=("车辆管理所驾驶人管理窗口", "车辆管理所考试科", "车辆管理所"), extra_acc=JT_LIC_ACC,
        remarks="包括机动车驾驶证初次申领、增加准驾车型、有效期满换证、遗失补证、境外驾驶证换领等子项。")
    licensing(d, "机动车驾驶证初次申领", [("设定依据", "jt", "第十九条"), ("实施依据", "jtss", "第十九条", "第二十条", "第二十一条")],
              parent=dl, office=CARS, statutory=5, promised=1, fee=dl_fee,
              note="考试合格后5日内核发", actors=("车辆管理所驾驶人管理窗口", "车辆管理所考试科", "车辆管理所"),
              extra_review=ref(("jsz", "第二十九条")), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车驾驶证有效期满换证", [("设定依据", "jt", "第十九条", "第二十三条"), ("实施依据", "jtss", "第二十六条"),
                                         ("实施依据", "jsz", "第六十二条", "第六十三条", "第六十八条")],
              parent=dl, office=CARS, statutory=1, promised=1, fee=dl_fee,
              note="机动车驾驶证申领和使用规定第六十八条规定一日内换发；可在核发地以外的车辆管理所申请",
              actors=("车辆管理所驾驶人管理窗口", "车辆管理所驾驶人管理窗口", "车辆管理所"), days=(1, 1, 1, 1), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车驾驶证遗失、损毁补证", [("设定依据", "jt", "第十九条"), ("实施依据", "jtss", "第二十七条"),
                                           ("实施依据", "jsz", "第六十九条")],
              parent=dl, office=CARS, statutory=3, promised=1, fee=dl_fee,
              note="实施条例第二十七条规定收到申请之日起3日内补发；驾驶证被扣押、扣留或者暂扣期间不得申请补发",
              actors=("车辆管理所驾驶人管理窗口", "车辆管理所档案岗", "车辆管理所"), days=(1, 1, 1, 1), extra_acc=JT_LIC_ACC)
    licensing(d, "持境外机动车驾驶证换领中国机动车驾驶证", [("设定依据", "jt", "第十九条"), ("实施依据", "jtss", "第十九条", "第二十一条")],
              parent=dl, office=CARS, statutory=5, promised=3, fee=dl_fee,
              note="经考核合格后核发", actors=("车辆管理所驾驶人管理窗口", "车辆管理所考试科", "车辆管理所"), extra_acc=JT_LIC_ACC)

    licensing(d, "机动车临时通行牌证核发",
              [("设定依据", "jt", "第八条"), ("实施依据", "djgd", "第四十六条", "第四十七条"), ("收费依据", "jt", "第八十一条")],
              office=CARS, statutory=1, promised=1, fee=PLATE_FEE, days=(1, 1, 1, 1),
              note="机动车登记规定第四十七条规定自受理之日起一日内核发；有效期不得超过交强险有效期",
              actors=("车辆管理所登记窗口", "车辆管理所登记岗", "车辆管理所"), extra_acc=JT_LIC_ACC)
    licensing(d, "机动车检验合格标志核发",
              [("设定依据", "jt", "第十三条"), ("实施依据", "jtss", "第十六条", "第十七条")],
              office=CARS, statutory=20, promised=1, days=(1, 1, 1, 1),
              note="法定期限适用行政许可法第四十二条，承诺检验合格后即时核发；对提供行驶证和交强险凭证、经检验符合国家安全技术标准的机动车发给检验合格标志；符合条件的小型、微型非营运载客汽车可申领免检标志",
              actors=("车辆管理所机动车检验监管窗口", "车辆管理所检验监管岗", "车辆管理所"), extra_acc=JT_LIC_ACC)
    licensing(d, "入境境外机动车临时通行号牌、行驶证核发",
              [("设定依据", "jt", "第一百二十二条"), ("实施依据", "jtss", "第一百一十三条")],
              office=CARS, statutory=20, promised=3, days=(1, 1, 1, 1),
              note="按照行驶需要载明有效日期和允许行驶的区域", actors=("车辆管理所登记窗口", "车辆管理所登记岗", "车辆管理所"),
              extra_acc=JT_LIC_ACC)
    licensing(d, "占用、挖掘道路影响交通安全的施工作业交通安全审查",
              [("设定依据", "jt", "第三十一条", "第三十二条"), ("实施依据", "jtss", "第三十五条")],
              office="科技设施科", statutory=20, promised=10, days=(1, 5, 3, 1),
              note="须先征得道路主管部门同意；需要封闭道路中断交通的，除紧急情况外施工单位应当提前5日向社会公告",
              actors=("政务服务中心公安交管窗口", "科技设施科", "支队分管负责人"),
              joint=[{"name": "临江市交通运输局", "division": "公路、城市道路占用挖掘的行政许可"},
                     {"name": "临江市住房和城乡建设局", "division": "城市道路占用挖掘审批（按本级职责分工）"}],
              extra_supervise=ref(("jt", "第三十二条")), extra_acc=JT_LIC_ACC)
    licensing(d, "超限运输不可解体物品机动车通行时间、路线、速度指定",
              [("设定依据", "jt", "第四十八条"), ("实施依据", "gl", "第五十条")],
              office="秩序管理科", statutory=20, promised=5, days=(1, 2, 1, 1),
              note="在公路上运载超限不可解体物品的，须先依照公路法第五十条经交通运输主管部门批准",
              actors=("政务服务中心公安交管窗口", "秩序管理科", "支队分管负责人"),
              joint=[{"name": "临江市交通运输局", "division": "公路超限运输许可"}], extra_acc=JT_LIC_ACC)

    # ---- 行政处罚 ------------------------------------------------------------
    ORD = "秩序管理科（各执勤大队）"
    NOPEN = ("不予处罚", "情节轻微，未影响道路通行的", "指出违法行为，给予口头警告后放行", ref(("jt", "第八十七条"), ("cf", "第三十三条")))
    DETAIN = "拘留由临江市公安局裁决（道路交通安全法第一百一十一条）；吊销机动车驾驶证由本支队作为设区的市公安机关交通管理部门决定（实施条例第一百零九条）。"

    penalty(d, "饮酒后驾驶机动车",
            [("设定依据", "jt", "第二十二条"), ("实施依据", "jtss", "第一百零五条"), ("处罚依据", "jt", "第九十一条")],
            [("从轻", "血液酒精含量达到20mg/100ml、不足50mg/100ml，主动配合呼气测试和血液检验，未造成交通事故", "暂扣6个月机动车驾驶证，并处1000元以上1300元以下罚款"),
             ("一般", "血液酒精含量达到50mg/100ml、不足80mg/100ml，未造成交通事故", "暂扣6个月机动车驾驶证，并处1300元以上1700元以下罚款"),
             ("从重", "驾驶载有乘客的客车、校车或者危险物品运输车辆，发生财产损失交通事故，或者拒绝、逃避酒精测试", "暂扣6个月机动车驾驶证，并处1700元以上2000元以下罚款"),
             ("从重", "因饮酒后驾驶机动车被处罚，再次饮酒后驾驶机动车的", "处10日以下拘留，并处1000元以上2000元以下罚款，吊销机动车驾驶证")],
            ORD, remarks=DETAIN)
    penalty(d, "醉酒驾驶机动车",
            [("设定依据", "jt", "第二十二条"), ("实施依据", "jtss", "第一百零五条"), ("处罚依据", "jt", "第九十一条")],
            [("一般", "血液酒精含量达到80mg/100ml以上驾驶非营运机动车", "由公安机关交通管理部门约束至酒醒，吊销机动车驾驶证，五年内不得重新取得机动车驾驶证；涉嫌危险驾驶罪的移送立案侦查")],
            ORD, levels=("city",), std_exempt=False,
            remarks="吊销机动车驾驶证由设区的市公安机关交通管理部门决定（实施条例第一百零九条）；刑事责任依法追究。")
    penalty(d, "饮酒后驾驶营运机动车",
            [("设定依据", "jt", "第二十二条"), ("处罚依据", "jt", "第九十一条")],
            [("一般", "血液酒精含量达到20mg/100ml、不足80mg/100ml驾驶营运机动车", "处15日拘留，并处5000元罚款，吊销机动车驾驶证，五年内不得重新取得机动车驾驶证")],
            ORD, levels=("city",), std_exempt=False, remarks=DETAIN)
    penalty(d, "醉酒驾驶营运机动车",
            [("设定依据", "jt", "第二十二条"), ("处罚依据", "jt", "第九十一条")],
            [("一般", "血液酒精含量达到80mg/100ml以上驾驶营运机动车", "由公安机关交通管理部门约束至酒醒，吊销机动车驾驶证，十年内不得重新取得机动车驾驶证，重新取得后不得驾驶营运机动车；依法追究刑事责任")],
            ORD, levels=("city",), std_exempt=False,
            remarks="吊销机动车驾驶证由设区的市公安机关交通管理部门决定（实施条例第一百零九条）。")
    penalty(d, "机动车行驶超过规定时速未达百分之五十",
            [("设定依据", "jt", "第四十二条"), ("实施依据", "jtss", "第四十五条", "第七十八条"), ("处罚依据", "jt", "第九十条")],
            [("从轻", "超过规定时速未达10%", "警告"),
             ("一般", "超过规定时速10%以上未达20%", "处50元以上100元以下罚款"),
             ("从重", "超过规定时速20%以上未达50%，或者在学校、居民区周边及雨、雪、雾等低能见度条件下超速", "处150元以上200元以下罚款")],
            ORD, remarks="根据交通技术监控记录资料处罚的，依照道路交通安全法第一百一十四条对机动车所有人或者管理人处罚。")
    penalty(d, "机动车行驶超过规定时速百分之五十以上",
            [("设定依据", "jt", "第四十二条"), ("实施依据", "jtss", "第四十五条", "第七十八条"), ("处罚依据", "jt", "第九十九条")],
            [("一般", "超过规定时速50%以上未达70%", "处200元以上1000元以下罚款"),
             ("从重", "超过规定时速70%以上未达100%", "处1000元以上1500元以下罚款，可以并处吊销机动车驾驶证"),
             ("从重", "超过规定时速100%以上，或者驾驶校车、大中型客车、危险物品运输车辆超速50%以上", "处1500元以上2000元以下罚款，并处吊销机动车驾驶证")],
            ORD, remarks="并处吊销机动车驾驶证的，由设区的市公安机关交通管理部门决定（实施条例第一百零九条）。")
    penalty(d, "未取得机动车驾驶证、机动车驾驶证被吊销或者暂扣期间驾驶机动车",
            [("设定依据", "jt", "第十九条"), ("实施依据", "jtss", "第二十八条"), ("处罚依据", "jt", "第九十九条")],
            [("从轻", "未取得机动车驾驶证驾驶摩托车、三轮汽车、低速载货汽车，未造成交通事故", "处200元以上800元以下罚款"),
             ("一般", "未取得机动车驾驶证驾驶汽车，或者机动车驾驶证被暂扣期间驾驶机动车", "处800元以上1500元以下罚款"),
             ("从重", "机动车驾驶证被吊销期间驾驶机动车，驾驶营运车辆、校车，或者造成交通事故", "处1500元以上2000元以下罚款，可以并处15日以下拘留")],
            ORD, remarks=DETAIN)
    penalty(d, "将机动车交由未取得机动车驾驶证或者机动车驾驶证被吊销、暂扣的人驾驶",
            [("设定依据", "jt", "第十九条", "第二十二条"), ("处罚依据", "jt", "第九十九条")],
            [("从轻", "将摩托车、低速载货汽车交由他人驾驶，未造成交通事故", "处200元以上800元以下罚款"),
             ("一般", "将汽车交由未取得驾驶证的人驾驶", "处800元以上1500元以下罚款"),
             ("从重", "将营运车辆交由他人驾驶，明知驾驶证被吊销，或者造成交通事故", "处1500元以上2000元以下罚款，可以并处吊销机动车驾驶证")],
            ORD, remarks="并处吊销机动车驾驶证的，由设区的市公安机关交通管理部门决定（实施条例第一百零九条）。")
    penalty(d, "造成交通事故后逃逸尚不构成犯罪",
            [("设定依据", "jt", "第七十条"), ("处罚依据", "jt", "第九十九条", "第一百零一条")],
            [("一般", "造成财产损失交通事故后逃逸", "处1000元以上1500元以下罚款，吊销机动车驾驶证，终生不得重新取得机动车驾驶证"),
             ("从重", "造成人员受伤的交通事故后逃逸，尚不构成犯罪", "处1500元以上2000元以下罚款，吊销机动车驾驶证，终生不得重新取得机动车驾驶证，可以并处15日以下拘留")],
            "事故处理大队", levels=("city",), std_exempt=False, remarks=DETAIN)
    penalty(d, "强迫机动车驾驶人违反道路交通安全法律法规驾驶机动车造成交通事故尚不构成犯罪",
            [("设定依据", "jt", "第二十二条"), ("处罚依据", "jt", "第九十九条")],
            [("一般", "造成财产损失交通事故", "处200元以上1000元以下罚款"),
             ("从重", "造成人员受伤的交通事故，尚不构成犯罪", "处1000元以上2000元以下罚款，可以并处15日以下拘留")],
            "事故处理大队", remarks=DETAIN)
    penalty(d, "违反交通管制的规定强行通行不听劝阻",
            [("设定依据", "jt", "第三十九条", "第四十条"), ("处罚依据", "jt", "第九十九条")],
            [("一般", "违反交通管制强行通行，不听劝阻，未造成后果", "处200元以上1000元以下罚款"),
             ("从重", "在自然灾害、恶劣气象条件或者重大交通事故管制期间强行通行，或者冲闯管制卡点", "处1000元以上2000元以下罚款，可以并处15日以下拘留")],
            ORD, remarks=DETAIN)
    penalty(d, "故意损毁、移动、涂改交通设施造成危害后果尚不构成犯罪",
            [("设定依据", "jt", "第二十八条"), ("处罚依据", "jt", "第九十九条")],
            [("一般", "损毁、移动、涂改交通标志、标线，造成一般危害后果", "处200元以上1000元以下罚款，责令恢复原状"),
             ("从重", "损毁交通信号灯、交通技术监控设备，或者造成交通事故", "处1000元以上2000元以下罚款，可以并处15日以下拘留")],
            "科技设施科", remarks=DETAIN)
    penalty(d, "非法拦截、扣留机动车辆不听劝阻造成交通严重阻塞或者较大财产损失",
            [("设定依据", "jt", "第十一条"), ("处罚依据", "jt", "第九十九条")],
            [("一般", "造成交通严重阻塞，持续时间较短", "处200元以上1000元以下罚款"),
             ("从重", "造成较大财产损失，或者在高速公路、城市快速路上实施", "处1000元以上2000元以下罚款，可以并处15日以下拘留")],
            ORD, remarks=DETAIN)
    penalty(d, "机动车违反规定停放、临时停车妨碍其他车辆和行人通行",
            [("设定依据", "jt", "第五十六条"), ("实施依据", "jtss", "第六十三条"), ("处罚依据", "jt", "第九十三条")],
            [("不予处罚", "驾驶人在现场，经指出后立即驶离的", "指出违法行为，予以口头警告，令其立即驶离", ref(("jt", "第九十三条"))),
             ("从轻", "驾驶人不在现场，在非禁停路段违反临时停车规定，妨碍通行程度轻微", "处20元以上50元以下罚款"),
             ("一般", "驾驶人不在现场或者拒绝立即驶离，妨碍其他车辆、行人通行", "处100元以上150元以下罚款，可以将机动车拖移至指定地点停放"),
             ("从重", "在消防通道、公共汽车站、急救站、人行横道、隧道等处停车，或者严重妨碍通行", "处150元以上200元以下罚款，并可以将机动车拖移至指定地点停放")],
            ORD, remarks="拖车不得向当事人收取费用，并应当及时告知当事人停放地点。")
    penalty(d, "机动车未按规定定期进行安全技术检验或者未放置检验合格标志上道路行驶",
            [("设定依据", "jt", "第十一条", "第十三条"), ("实施依据", "jtss", "第十六条"), ("处罚依据", "jt", "第九十五条", "第九十条")],
            [("从轻", "机动车已检验合格，未放置检验合格标志但能当场提供电子检验合格标志", "警告"),
             ("一般", "逾期未检验不足三个月", "扣留机动车，通知当事人补办检验手续，处50元以上100元以下罚款"),
             ("从重", "逾期未检验三个月以上，或者营运车辆、校车、危险物品运输车辆逾期未检验", "扣留机动车，通知当事人补办检验手续，处150元以上200元以下罚款")],
            ORD, remarks="当事人提供相应标志或者补办相应手续的，应当及时退还机动车。")
    penalty(d, "上道路行驶的机动车未悬挂机动车号牌",
            [("设定依据", "jt", "第八条", "第十一条"), ("实施依据", "jtss", "第十三条"), ("处罚依据", "jt", "第九十五条", "第九十条")],
            [("一般", "已登记的机动车未悬挂号牌，能当场提供号牌", "扣留机动车，处100元以上150元以下罚款"),
             ("从重", "未登记且未取得临时通行牌证，或者拒不提供号牌", "扣留机动车，通知当事人补办相应手续，处150元以上200元以下罚款")],
            ORD)
    penalty(d, "故意遮挡、污损或者不按规定安装机动车号牌",
            [("设定依据", "jt", "第十一条"), ("实施依据", "jtss", "第十三条"), ("处罚依据", "jt", "第九十五条", "第九十条")],
            [("一般", "不按规定安装机动车号牌", "处50元以上100元以下罚款"),
             ("从重", "故意遮挡、污损机动车号牌", "处200元罚款")],
            ORD)
    penalty(d, "驾驶机动车未随车携带行驶证、驾驶证",
            [("设定依据", "jt", "第十一条", "第十九条"), ("处罚依据", "jt", "第九十五条", "第九十条")],
            [("从轻", "能够通过电子行驶证、电子驾驶证或者公安交管信息系统当场核实", "警告"),
             ("一般", "无法当场核实，经通知提供或者补办相应手续", "扣留机动车，处20元以上50元以下罚款")],
            ORD)
    penalty(d, "公路客运车辆载客超过额定乘员",
            [("设定依据", "jt", "第四十九条"), ("实施依据", "jtss", "第五十五条", "第一百零六条"), ("处罚依据", "jt", "第九十二条")],
            [("从轻", "超过额定乘员未达10%", "处200元以上300元以下罚款，扣留机动车至违法状态消除"),
             ("一般", "超过额定乘员10%以上未达20%", "处300元以上500元以下罚款，扣留机动车至违法状态消除"),
             ("从重", "超过额定乘员20%以上未达50%，或者违反规定载货", "处500元以上1000元以下罚款，扣留机动车至违法状态消除"),
             ("从重", "超过额定乘员50%以上", "处1000元以上2000元以下罚款，扣留机动车至违法状态消除")],
            ORD, joint=[{"name": "临江市交通运输局", "division": "道路客运经营者源头管理，超员违法信息抄告"}])
    penalty(d, "货运机动车超过核定载质量",
            [("设定依据", "jt", "第四十八条"), ("实施依据", "jtss", "第五十四条", "第一百零六条"), ("处罚依据", "jt", "第九十二条")],
            [("从轻", "超过核定载质量未达10%", "处200元以上300元以下罚款，扣留机动车至违法状态消除"),
             ("一般", "超过核定载质量10%以上未达30%", "处300元以上500元以下罚款，扣留机动车至违法状态消除"),
             ("从重", "超过核定载质量30%以上未达50%，或者违反规定载客", "处500元以上1000元以下罚款，扣留机动车至违法状态消除"),
             ("从重", "超过核定载质量50%以上", "处1000元以上2000元以下罚款，扣留机动车至违法状态消除")],
            ORD, joint=[{"name": "临江市交通运输局", "division": "公路超限检测和超限运输处罚（公路法），货运源头监管"}],
            remarks="超载货物卸载、转运费用由超载机动车的驾驶人或者所有人承担（实施条例第一百零六条）。")
    penalty(d, "运输单位车辆超员、超载经处罚不改的直接负责的主管人员",
            [("设定依据", "jt", "第四十八条", "第四十九条"), ("处罚依据", "jt", "第九十二条")],
            [("一般", "运输单位车辆超员、超载经处罚不改", "对直接负责的主管人员处2000元以上3500元以下罚款"),
             ("从重", "经处罚后一年内再次出现三次以上，或者造成交通事故", "对直接负责的主管人员处3500元以上5000元以下罚款")],
            ORD)
    penalty(d, "伪造、变造或者使用伪造、变造的机动车登记证书、号牌、行驶证、驾驶证",
            [("设定依据", "jt", "第十六条"), ("处罚依据", "jt", "第九十六条")],
            [("一般", "使用伪造、变造的号牌、行驶证、驾驶证，初次被查获", "予以收缴，扣留该机动车，处15日以下拘留，并处2000元以上3500元以下罚款"),
             ("从重", "伪造、变造或者多次使用，或者驾驶营运车辆", "予以收缴，扣留该机动车，处15日以下拘留，并处3500元以上5000元以下罚款")],
            ORD, remarks="拘留由临江市公安局裁决（道路交通安全法第一百一十一条）；构成犯罪的依法追究刑事责任。")
    penalty(d, "伪造、变造或者使用伪造、变造的检验合格标志、保险标志",
            [("设定依据", "jt", "第十六条"), ("处罚依据", "jt", "第九十六条")],
            [("一般", "使用伪造、变造的检验合格标志、保险标志", "予以收缴，扣留该机动车，处10日以下拘留，并处1000元以上2000元以下罚款"),
             ("从重", "伪造、变造检验合格标志、保险标志，或者营运车辆使用", "予以收缴，扣留该机动车，处10日以下拘留，并处2000元以上3000元以下罚款")],
            ORD, remarks="拘留由临江市公安局裁决（道路交通安全法第一百一十一条）。")
    penalty(d, "使用其他车辆的机动车登记证书、号牌、行驶证、检验合格标志、保险标志",
            [("设定依据", "jt", "第十六条"), ("处罚依据", "jt", "第九十六条")],
            [("一般", "使用其他车辆的检验合格标志、保险标志", "予以收缴，扣留该机动车，处2000元以上3500元以下罚款"),
             ("从重", "使用其他车辆的号牌、行驶证、登记证书（套牌）", "予以收缴，扣留该机动车，处3500元以上5000元以下罚款")],
            ORD)
    penalty(d, "非法安装警报器、标志灯具",
            [("设定依据", "jt", "第十五条"), ("处罚依据", "jt", "第九十七条")],
            [("从轻", "安装但未使用，主动拆除", "强制拆除，予以收缴，并处200元以上800元以下罚款"),
             ("一般", "安装并使用标志灯具", "强制拆除，予以收缴，并处800元以上1500元以下罚款"),
             ("从重", "安装并使用警报器，或者冒用特种车辆通行", "强制拆除，予以收缴，并处1500元以上2000元以下罚款")],
            ORD)
    penalty(d, "未按照国家规定投保机动车第三者责任强制保险",
            [("设定依据", "jt", "第十七条"), ("处罚依据", "jt", "第九十八条")],
            [("一般", "机动车所有人、管理人未投保或者保险期满未续保", "扣留车辆至依照规定投保后，并处依照规定投保最低责任限额应缴纳的保险费的二倍罚款")],
            ORD, std_exempt=False, remarks="罚款全部纳入道路交通事故社会救助基金。")
    penalty(d, "驾驶拼装的机动车或者已达到报废标准的机动车上道路行驶",
            [("设定依据", "jt", "第十四条", "第十六条"), ("处罚依据", "jt", "第一百条")],
            [("一般", "驾驶已达到报废标准的非营运机动车", "收缴机动车、强制报废，处200元以上1000元以下罚款，吊销机动车驾驶证"),
             ("从重", "驾驶拼装机动车，或者驾驶达到报废标准的营运机动车", "收缴机动车、强制报废，处1000元以上2000元以下罚款，吊销机动车驾驶证")],
            ORD, levels=("city",), remarks="吊销机动车驾驶证由设区的市公安机关交通管理部门决定（实施条例第一百零九条）。")
    penalty(d, "出售已达到报废标准的机动车",
            [("设定依据", "jt", "第十四条"), ("处罚依据", "jt", "第一百条")],
            [("一般", "出售已达到报废标准的机动车", "没收违法所得，处销售金额等额的罚款，对该机动车予以收缴、强制报废")],
            CARS)
    penalty(d, "行人、乘车人、非机动车驾驶人违反道路交通安全法律法规关于道路通行规定",
            [("设定依据", "jt", "第五十七条", "第五十九条"), ("实施依据", "jtss", "第七十条", "第七十二条", "第七十四条", "第七十五条", "第七十七条"),
             ("处罚依据", "jt", "第八十九条")],
            [NOPEN,
             ("从轻", "初次违法，及时纠正，未造成后果", "警告"),
             ("一般", "闯红灯、逆向行驶、在机动车道内行驶等", "处5元以上20元以下罚款"),
             ("从重", "醉酒驾驶非机动车、非机动车加装动力装置，或者造成交通事故", "处20元以上50元以下罚款；非机动车驾驶人拒绝接受罚款处罚的，可以扣留其非机动车")],
            ORD, remarks="对行人、乘车人和非机动车驾驶人的罚款，当事人无异议的可以当场收缴（道路交通安全法第一百零八条）。")
    penalty(d, "驾驶机动车拨打接听手持电话等妨碍安全驾驶",
            [("设定依据", "jt", "第二十二条"), ("实施依据", "jtss", "第六十二条"), ("处罚依据", "jt", "第九十条")],
            [("一般", "驾驶中拨打接听手持电话、观看电视", "处50元以上100元以下罚款"),
             ("从重", "驾驶营运客车、校车、危险物品运输车辆时实施，或者在高速公路上实施", "处150元以上200元以下罚款")],
            ORD)
    penalty(d, "驾驶人、乘坐人员未按规定使用安全带或者佩戴安全头盔",
            [("设定依据", "jt", "第五十一条"), ("处罚依据", "jt", "第九十条")],
            [NOPEN,
             ("一般", "驾驶人未按规定使用安全带，或者摩托车驾驶人未按规定戴安全头盔", "处20元以上50元以下罚款"),
             ("从重", "在高速公路、城市快速路上实施，或者驾驶营运客车未按规定使用安全带", "处50元以上100元以下罚款")],
            ORD)
    penalty(d, "机动车行经人行横道未按规定减速、停车让行",
            [("设定依据", "jt", "第四十七条"), ("处罚依据", "jt", "第九十条")],
            [("一般", "行经人行横道未减速行驶", "处50元以上100元以下罚款"),
             ("从重", "遇行人正在通过人行横道未停车让行，或者在学校、医院门前实施", "处150元以上200元以下罚款")],
            ORD)
    penalty(d, "机动车违反交通信号灯通行",
            [("设定依据", "jt", "第二十六条", "第三十八条"), ("实施依据", "jtss", "第三十八条"), ("处罚依据", "jt", "第九十条")],
            [("一般", "驾驶非营运机动车违反交通信号灯通行", "处150元以上200元以下罚款"),
             ("从重", "驾驶营运客车、校车、危险物品运输车辆违反交通信号灯通行，或者造成交通事故", "处200元罚款")],
            ORD)
    penalty(d, "机动车违反规定进入专用车道行驶",
            [("设定依据", "jt", "第三十七条"), ("处罚依据", "jt", "第九十条")],
            [("一般", "非公交车辆在公交专用车道规定时段内行驶", "处50元以上100元以下罚款"),
             ("从重", "在应急车道、快速公交专用车道内行驶或者长距离占用", "处150元以上200元以下罚款")],
            ORD)
    penalty(d, "种植物、设置广告牌等遮挡路灯、交通信号灯、交通标志拒不排除妨碍",
            [("设定依据", "jt", "第二十八条"), ("处罚依据", "jt", "第一百零六条")],
            [("一般", "经责令排除妨碍拒不执行，遮挡交通标志", "处200元以上1000元以下罚款，并强制排除妨碍，所需费用由行为人负担"),
             ("从重", "遮挡交通信号灯、妨碍安全视距，或者已引发交通事故", "处1000元以上2000元以下罚款，并强制排除妨碍，所需费用由行为人负担")],
            "科技设施科")
    penalty(d, "机动车安全技术检验机构不按照机动车国家安全技术标准进行检验、出具虚假检验结果",
            [("设定依据", "jt", "第十三条"), ("实施依据", "jtss", "第十五条"), ("处罚依据", "jt", "第九十四条")],
            [("一般", "出具虚假检验结果涉及车辆较少，未造成后果", "处所收检验费用5倍以上7倍以下罚款"),
             ("从重", "多次出具虚假检验结果，或者被检车辆发生交通事故", "处所收检验费用7倍以上10倍以下罚款，并依法撤销其检验资格")],
            CARS, levels=("city",),
            joint=[{"name": "临江市市场监督管理局", "division": "检验检测机构资质认定和计量监督"}],
            remarks="撤销检验资格涉及资质认定的，通报市场监督管理部门依法处理；构成犯罪的依法追究刑事责任。")

    # ---- 行政强制 ------------------------------------------------------------
    enf(d, "扣留机动车",
        [("设定依据", "jt", "第九十二条", "第九十五条", "第九十六条", "第九十八条"), ("实施依据", "jt", "第一百一十二条"),
         ("实施依据", "jtss", "第一百零七条")],
        office=ORD, statutory=30, note="违法状态消除、补办手续或者接受处理后及时退还；30日内不接受处理并经公告3个月仍不接受处理的依照实施条例第一百零七条处理",
        extra_impl=ref(("jt", "第一百一十二条")))
    enf(d, "扣留机动车驾驶证",
        [("设定依据", "jt", "第一百一十条", "第二十四条"), ("实施依据", "jtss", "第二十三条")],
        office=ORD, statutory=1, note="先予扣留的，在二十四小时内将案件移交公安机关交通管理部门处理；扣留一日折抵暂扣期限一日（道路交通安全法第一百一十三条）",
        extra_impl=ref(("jt", "第一百一十条", "第一百一十三条")))
    enf(d, "拖移机动车",
        [("设定依据", "jt", "第九十三条"), ("实施依据", "jtss", "第一百零四条")],
        office=ORD, remarks="拖车不得向当事人收取费用，应当及时告知停放地点；因采取不正确的方法拖车造成机动车损坏的，依法承担补偿责任。",
        extra_impl=ref(("jt", "第九十三条")))
    enf(d, "约束至酒醒",
        [("设定依据", "jt", "第九十一条")],
        office=ORD, person=True, levels=("city", "county"),
        remarks="属于限制公民人身自由的行政强制措施，适用行政强制法第二十条。")
    enf(d, "扣留非机动车",
        [("设定依据", "jt", "第八十九条"), ("实施依据", "jt", "第一百一十二条")],
        office=ORD, statutory=30, note="当事人接受处理后及时退还",
        extra_impl=ref(("jt", "第一百一十二条")))
    enf(d, "扣留事故车辆",
        [("设定依据", "jt", "第七十二条")],
        office="事故处理大队", statutory=30, note="因收集证据需要扣留的事故车辆，检验、鉴定期间不计入扣留期限",
        extra_impl=ref(("jt", "第七十二条")))
    enf(d, "收缴、强制报废拼装或者已达到报废标准的机动车",
        [("设定依据", "jt", "第一百条")], office=ORD)
    enf(d, "强制拆除、收缴非法安装的警报器、标志灯具",
        [("设定依据", "jt", "第九十七条")], office=ORD)
    enf(d, "对有饮酒、醉酒、服用国家管制的精神药品或者麻醉药品嫌疑的驾驶人进行测试、检验",
        [("设定依据", "jt", "第二十二条"), ("实施依据", "jtss", "第一百零五条")], office=ORD, person=True,
        remarks="包括呼气酒精含量检验和抽取血样、尿样检验。")
    enf(d, "强制撤离交通事故现场",
        [("设定依据", "jt", "第七十条"), ("实施依据", "jtss", "第八十九条")], office="事故处理大队")

    # ---- 行政检查 ------------------------------------------------------------
    inspection(d, "对营运载客汽车、重型载货汽车、半挂牵引车行驶记录仪和行驶状态信息的检查",
               [("设定依据", "jtss", "第十四条")], office=ORD,
               plan_basis=ref(("jtss", "第十四条"), ("jt", "第七十九条")),
               publish_basis=ref(("cf", "第三十九条"), ("jtss", "第九十八条")))
    inspection(d, "对未中断交通的施工作业道路的交通安全监督检查",
               [("设定依据", "jt", "第三十二条"), ("实施依据", "jtss", "第三十五条")], office="科技设施科",
               plan_basis=ref(("jt", "第三十二条")), publish_basis=ref(("jtss", "第九十八条")))
    inspection(d, "对机动车安全技术检验机构检验工作的监督检查",
               [("设定依据", "jt", "第十三条", "第九十四条"), ("实施依据", "jtss", "第十五条")], office=CARS, levels=("city",),
               plan_basis=ref(("jt", "第十三条")), publish_basis=ref(("jtss", "第九十八条")),
               remarks="与市场监督管理部门对检验机构的资质认定、计量监督分工负责，发现违法线索相互通报。")

    # ---- 行政确认 ------------------------------------------------------------
    generic(d, "confirmation", "道路交通事故认定",
            [("设定依据", "jt", "第七十三条"), ("实施依据", "jtss", "第九十一条", "第九十二条", "第九十三条"),
             ("实施依据", "sggd", "第六十二条", "第六十三条", "第七十一条")],
            office="事故处理大队",
            time_limit={"statutory_days": 10, "unit": "自然日",
                        "note": "自现场调查之日起十日内制作道路交通事故认定书；需要检验、鉴定的，自检验报告、鉴定意见确定之日起五日内制作"},
            workflow=[("接警受理", "接到交通事故报警后立即派员赶赴现场，组织抢救受伤人员，尽快恢复交通", "指挥中心、事故处理大队", 1),
                      ("现场勘查", "勘验、检查现场，收集证据，必要时扣留事故车辆", "事故处理民警（两名以上）", 1),
                      ("调查取证", "询问当事人和证人，委托检验、鉴定", "事故处理民警", 10),
                      ("认定", "根据当事人行为对事故所起作用和过错严重程度确定责任，死亡事故和复杂疑难伤人事故先公开证据", "事故处理大队", 5),
                      ("送达", "制作道路交通事故认定书并送达当事人，告知复核权利", "事故处理大队", 3)],
            resp=[("受理责任", "接到交通事故报警后立即派交通警察赶赴现场，先组织抢救受伤人员，并采取措施尽快恢复交通。", ref(("jt", "第七十二条"))),
                  ("调查责任", "对交通事故现场进行勘验、检查，收集证据；专业性较强的检验委托专门机构鉴定。", ref(("jt", "第七十二条"))),
                  ("认定责任", "根据现场勘验、检查、调查情况和检验、鉴定结论，按照当事人的行为对发生交通事故所起的作用以及过错的严重程度确定责任，在法定期限内制作交通事故认定书。", ref(("jt", "第七十三条"), ("jtss", "第九十一条", "第九十三条"))),
                  ("送达责任", "将交通事故认定书送达当事人，告知当事人可以在送达之日起三日内提出书面复核申请。", ref(("jt", "第七十三条"), ("sggd", "第七十一条"))),
                  ("事后监管责任", "接受上级公安机关交通管理部门的复核和执法监督，案卷归档。", ref(("jt", "第八十四条")))],
            acc=[("徇私舞弊，不公正处理交通事故的", ref(("jt", "第一百一十五条"))),
                 ("违反法定的程序和期限制作交通事故认定书，延迟履行职责的", ref(("jtss", "第九十九条")))],
            remarks="当事人对认定有异议的，可以向上一级公安机关交通管理部门申请复核。")

    # ---- 其他行政权力 / 行政奖励 -----------------------------------------------
    generic(d, "other", "道路交通事故损害赔偿调解",
            [("设定依据", "jt", "第七十四条"), ("实施依据", "jtss", "第九十四条", "第九十五条", "第九十六条")],
            office="事故处理大队",
            time_limit={"statutory_days": 10, "unit": "自然日", "note": "调解期限为10日；当事人应当在收到交通事故认定书之日起10日内提出书面调解申请"},
            workflow=[("申请", "各方当事人一致书面申请调解", "事故处理大队", 10),
                      ("调解", "按照法定赔偿项目和标准组织调解", "调解民警", 10),
                      ("结案", "达成协议的制作调解书，未达成的制作调解终结书，送交各方当事人", "事故处理大队", 1)],
            resp=[("受理责任", "各方当事人一致请求调解的予以受理；当事人已向人民法院提起民事诉讼的不再受理。", ref(("jtss", "第九十四条", "第九十六条"))),
                  ("调解责任", "在10日内依照有关法律规定的赔偿项目和标准组织调解，不得强迫当事人达成协议。", ref(("jtss", "第九十五条"))),
                  ("结案责任", "制作调解书或者调解终结书送交各方当事人；告知当事人可以向人民法院提起民事诉讼。", ref(("jt", "第七十四条"), ("jtss", "第九十五条")))],
            acc=[("徇私舞弊，不公正处理交通事故的", ref(("jt", "第一百一十五条")))],
            remarks="调解不是提起民事诉讼的前置程序。")
    generic(d, "other", "实行交通管制",
            [("设定依据", "jt", "第三十九条", "第四十条")],
            office="指挥中心",
            workflow=[("研判", "对自然灾害、恶劣气象条件、重大交通事故等情形进行研判", "指挥中心", 1),
                      ("决定", "报经支队负责人批准实行交通管制，能够提前公告的提前向社会公告", "支队负责人", 1),
                      ("实施", "设置管制点，疏导分流车辆，发布绕行信息", "各执勤大队", 1),
                      ("解除", "影响交通安全的情形消除后及时解除管制并发布信息", "指挥中心", 1)],
            resp=[("决定责任", "采取其他措施难以保证交通安全时方可实行交通管制；限制交通的措施应当提前向社会公告。", ref(("jt", "第三十九条", "第四十条"))),
                  ("实施责任", "按照规定着装、规范指挥，维护管制路段秩序。", ref(("jt", "第八十条"))),
                  ("解除责任", "情形消除后及时解除，恢复通行。", ref(("jt", "第三条")))],
            acc=[("不履行法定职责，未及时采取管制措施导致严重后果，或者滥用管制措施的", ref(("jt", "第一百一十五条")))])
    generic(d, "reward", "对举报交通事故逃逸的奖励",
            [("设定依据", "jt", "第七十一条")],
            office="事故处理大队",
            workflow=[("受理", "接受事故现场目击人员和其他知情人员的举报", "指挥中心、事故处理大队", 1),
                      ("核实", "对举报线索进行核查，确认举报属实", "事故处理大队", 30),
                      ("奖励", "按照奖励办法确定奖励并发放，对举报人信息保密", "事故处理大队", 15)],
            resp=[("受理责任", "公布举报电话，受理群众举报投诉。", ref(("jtss", "第一百条"))),
                  ("核实责任", "及时调查核实举报，反馈查处结果。", ref(("jtss", "第一百条"))),
                  ("奖励责任", "举报属实的依法给予奖励。", ref(("jt", "第七十一条")))],
            acc=[("不履行法定职责，对属实举报不予奖励或者泄露举报人信息的", ref(("jt", "第一百一十五条")))])
    return d


# ===========================================================================
# 临江市市场监督管理局
# ===========================================================================
def build_market():
    d = MR
    SP_ACC = [("对不符合条件的申请人准予许可，或者超越法定职权准予许可的", ref(("sp", "第一百四十四条")))]
    FOOD_SALE = "食品经营安全监督管理科"
    FOOD_PROD = "食品生产安全监督管理科"
    APPROVAL = "行政审批科"
    LAW = "综合行政执法支队"

    # ---- 行政许可 ------------------------------------------------------------
    fj = licensing(d, "食品经营许可",
                   [("设定依据", "sp", "第三十五条"), ("实施依据", "spss", "第十五条")],
                   office=APPROVAL, statutory=20, promised=10, days=(1, 6, 2, 1),
                   note="自受理之日起二十个工作日内作出决定，经负责人批准可延长十个工作日（行政许可法第四十二条）；许可有效期为5年",
                   actors=("政务服务中心市场监管窗口", "行政审批科（必要时现场核查）", "局分管负责人"),
                   extra_review=ref(("sp", "第三十五条")), extra_supervise=ref(("sp", "第一百一十条", "第一百一十三条")),
                   extra_acc=SP_ACC,
                   remarks="销售食用农产品和仅销售预包装食品的不需要取得许可；仅销售预包装食品的应当备案。")
    licensing(d, "食品经营许可（新办）", [("设定依据", "sp", "第三十五条")], parent=fj,
              office=APPROVAL, statutory=20, promised=10, days=(1, 6, 2, 1),
              actors=("政务服务中心市场监管窗口", "行政审批科（必要时现场核查）", "局分管负责人"),
              extra_review=ref(("sp", "第三十五条")), extra_acc=SP_ACC)
    licensing(d, "食品经营许可（变更）", [("设定依据", "sp", "第三十五条"), ("实施依据", "xk", "第四十九条")], parent=fj,
              office=APPROVAL, statutory=20, promised=5, days=(1, 2, 1, 1),
              note="经营场所、主体业态、经营项目等许可事项发生变化的申请变更；食品安全法实施条例第十五条规定条件变化需重新办理的依法办理",
              actors=("政务服务中心市场监管窗口", "行政审批科", "局分管负责人"), extra_acc=SP_ACC)
    licensing(d, "食品经营许可（延续）", [("设定依据", "sp", "第三十五条"), ("实施依据", "spss", "第十五条"), ("实施依据", "xk", "第五十条")],
              parent=fj, office=APPROVAL, statutory=20, promised=5, days=(1, 2, 1, 1),
              note="应当在许可有效期届满三十日前提出申请；有效期5年",
              actors=("政务服务中心市场监管窗口", "行政审批科", "局分管负责人"), extra_acc=SP_ACC)
    licensing(d, "食品经营许可（注销）", [("设定依据", "sp", "第三十五条"), ("实施依据", "xk", "第七十条")], parent=fj,
              office=APPROVAL, statutory=20, promised=1, days=(1, 1, 1, 1),
              note="许可有效期届满未延续、经营者依法终止、许可依法被撤销撤回或者吊销等情形依法注销",
              actors=("政务服务中心市场监管窗口", "行政审批科", "行政审批科"), extra_acc=SP_ACC)
    licensing(d, "食品生产许可",
              [("设定依据", "sp", "第三十五条"), ("实施依据", "spss", "第十五条")],
              office=APPROVAL, statutory=20, promised=15, days=(1, 10, 3, 1),
              note="需要现场核查的，指派两名以上核查人员进行现场核查；许可有效期为5年",
              actors=("政务服务中心市场监管窗口", "食品生产安全监督管理科（现场核查）", "局分管负责人"),
              extra_review=ref(("sp", "第三十五条")), extra_supervise=ref(("sp", "第一百一十条")), extra_acc=SP_ACC,
              remarks="婴幼儿配方食品、特殊医学用途配方食品、保健食品等特殊食品生产许可由省级市场监督管理部门实施。")
    licensing(d, "特种设备使用登记",
              [("设定依据", "tz", "第三十三条"), ("实施依据", "tz", "第五十八条", "第五十九条")],
              office="特种设备安全监察科", statutory=30, promised=5, days=(1, 2, 1, 1),
              note="使用单位应当在特种设备投入使用前或者投入使用后三十日内申请；特种设备安全法第五十九条规定自受理申请之日起三十日内作出决定",
              actors=("政务服务中心市场监管窗口", "特种设备安全监察科", "局分管负责人"),
              extra_supervise=ref(("tz", "第六十条")),
              extra_acc=[("未依照法律、行政法规规定的条件、程序实施许可的", ref(("tz", "第九十四条")))])
    sc = licensing(d, "市场主体登记",
                   [("设定依据", "sczt", "第三条"), ("实施依据", "sczt", "第十九条", "第二十条")],
                   office="登记注册科", statutory=3, promised=1, days=(1, 1, 1, 1),
                   note="材料齐全、符合法定形式的当场登记；不能当场登记的3个工作日内登记，情形复杂的经负责人批准可再延长3个工作日",
                   actors=("政务服务中心登记窗口", "登记注册科", "登记注册科"),
                   extra_review=ref(("sczt", "第十九条")), extra_supervise=ref(("sczt", "第三十八条")),
                   extra_acc=[("登记机关及其工作人员未履行职责或者履行职责不当的", ref(("sczt", "第五十条")))],
                   remarks="登记包括设立登记、变更登记和注销登记，对登记申请进行形式审查。")
    for nm, extra, note in [
        ("市场主体设立登记", [("实施依据", "sczt", "第二十一条")], "依法予以登记的签发营业执照，签发日期为成立日期"),
        ("市场主体变更登记", [("实施依据", "sczt", "第二十四条")], "自作出变更决议、决定或者法定变更事项发生之日起30日内申请"),
        ("市场主体注销登记", [("实施依据", "sczt", "第三十一条", "第三十二条")], "依法应当清算的，清算组自成立之日起10日内通过国家企业信用信息公示系统公告"),
    ]:
        licensing(d, nm, [("设定依据", "sczt", "第三条")] + extra, parent=sc, office="登记注册科", statutory=3, promised=1,
                  days=(1, 1, 1, 1), note=note, actors=("政务服务中心登记窗口", "登记注册科", "登记注册科"),
                  extra_acc=[("登记机关及其工作人员未履行职责或者履行职责不当的", ref(("sczt", "第五十条")))])
    licensing(d, "计量标准器具核准",
              [("设定依据", "jl", "第六条", "第八条"), ("实施依据", "jlss", "第七条", "第八条", "第十条")],
              office="计量科", statutory=20, promised=15, days=(1, 12, 1, 1),
              note="考核所需时间不计入法定期限（行政许可法第四十五条）",
              actors=("政务服务中心市场监管窗口", "计量科（组织考核）", "局分管负责人"), levels=("city",),
              extra_acc=[("计量监督人员违法失职的", ref(("jl", "第二十九条")))])

    # ---- 行政处罚 ------------------------------------------------------------
    food_grave = ref(("spss", "第六十七条"))
    penalty(d, "未取得食品生产经营许可从事食品生产经营活动",
            [("设定依据", "sp", "第三十五条"), ("处罚依据", "sp", "第一百二十二条")],
            [("从轻", "货值金额不足一万元，经营时间短，主动停止经营并配合调查", "没收违法所得、违法生产经营的食品及工具、设备、原料等物品，并处5万元以上6.5万元以下罚款；货值金额一万元以上的，并处货值金额10倍以上13倍以下罚款"),
             ("一般", "无从轻、从重情节", "没收违法所得、违法生产经营的食品及工具、设备、原料等物品，并处6.5万元以上8.5万元以下罚款；货值金额一万元以上的，并处货值金额13倍以上17倍以下罚款"),
             ("从重", "属于食品安全法实施条例第六十七条规定的情节严重情形，或者经责令停止后继续经营", "没收违法所得、违法生产经营的食品及工具、设备、原料等物品，并处8.5万元以上10万元以下罚款；货值金额一万元以上的，并处货值金额17倍以上20倍以下罚款", ref(("sp", "第一百二十二条"), ("spss", "第六十七条")))],
            LAW, remarks="食品生产加工小作坊、食品摊贩的违法行为，依照四川省制定的具体管理办法处罚（食品安全法第一百二十七条）。")
    penalty(d, "明知未取得食品生产经营许可仍为其提供生产经营场所或者其他条件",
            [("设定依据", "sp", "第三十五条"), ("处罚依据", "sp", "第一百二十二条")],
            [("一般", "提供场所或者其他条件，时间较短", "责令停止违法行为，没收违法所得，并处5万元以上8万元以下罚款"),
             ("从重", "多次提供或者提供条件时间较长，使消费者合法权益受到损害", "责令停止违法行为，没收违法所得，并处8万元以上10万元以下罚款")],
            LAW)
    penalty(d, "用非食品原料生产食品、在食品中添加非食用化学物质或者经营上述食品",
            [("设定依据", "sp", "第三十四条"), ("处罚依据", "sp", "第一百二十三条")],
            [("一般", "货值金额不足一万元，尚不构成犯罪", "没收违法所得和违法生产经营的食品，可以没收工具、设备、原料等物品，并处10万元以上15万元以下罚款；货值金额一万元以上的，并处货值金额15倍以上30倍以下罚款"),
             ("从重", "情节严重的", "依照前项罚款并吊销许可证，可以由公安机关对直接负责的主管人员和其他直接责任人员处5日以上15日以下拘留", ref(("sp", "第一百二十三条"), ("spss", "第六十七条", "第七十七条")))],
            LAW, levels=("city", "county"),
            remarks="涉嫌犯罪的依法移送公安机关；可能需要行政拘留的，及时移送同级公安机关（食品安全法实施条例第七十七条）。")
    for viol, setting, tiers_extra in [
        ("生产经营致病性微生物、农药兽药残留、重金属等污染物质含量超过食品安全标准限量的食品", "第三十四条", None),
        ("用超过保质期的食品原料、食品添加剂生产食品或者经营上述食品", "第三十四条", None),
        ("生产经营超范围、超限量使用食品添加剂的食品", "第三十四条", None),
        ("生产经营腐败变质、霉变生虫、掺假掺杂或者感官性状异常的食品", "第三十四条", None),
    ]:
        penalty(d, viol,
                [("设定依据", "sp", setting), ("实施依据", "spss", "第六十七条"), ("处罚依据", "sp", "第一百二十四条")],
                [("减轻", "主动停止生产经营、实施召回，未造成危害后果", "没收违法所得和违法生产经营的食品，在5万元以下处以罚款", ref(("spss", "第七十六条"), ("cf", "第三十二条"))),
                 ("从轻", "货值金额较小，违法时间短，主动配合调查", "没收违法所得和违法生产经营的食品，并处5万元以上6.5万元以下罚款；货值金额一万元以上的，并处货值金额10倍以上13倍以下罚款"),
                 ("一般", "无从轻、从重情节", "没收违法所得和违法生产经营的食品，并处6.5万元以上8.5万元以下罚款；货值金额一万元以上的，并处货值金额13倍以上17倍以下罚款"),
                 ("从重", "属于食品安全法实施条例第六十七条规定的情节严重情形", "没收违法所得和违法生产经营的食品，并处8.5万元以上10万元以下罚款；货值金额一万元以上的，并处货值金额17倍以上20倍以下罚款；吊销许可证", ref(("sp", "第一百二十四条"), ("spss", "第六十七条")))],
                LAW, exemptions=[("不予处罚", "食品经营者履行了进货查验等义务，有充分证据证明不知道所采购的食品不符合食品安全标准，并能如实说明进货来源的，可以免予处罚，但应当没收不符合食品安全标准的食品", ref(("sp", "第一百三十六条")))])
    penalty(d, "生产经营无标签的预包装食品或者标签、说明书不符合规定的食品",
            [("设定依据", "sp", "第六十七条"), ("处罚依据", "sp", "第一百二十五条")],
            [("不予处罚", "标签、说明书存在瑕疵但不影响食品安全且不会对消费者造成误导，经责令改正后改正的", "责令改正，不予罚款", ref(("sp", "第一百二十五条"))),
             ("从轻", "标签、说明书存在瑕疵但不影响食品安全且不会对消费者造成误导，拒不改正的", "处2000元以下罚款"),
             ("一般", "生产经营无标签的预包装食品，货值金额不足一万元", "没收违法所得和违法生产经营的食品，并处5000元以上3万元以下罚款"),
             ("从重", "货值金额一万元以上，或者属于情节严重情形", "没收违法所得和违法生产经营的食品，货值金额一万元以上的并处货值金额5倍以上10倍以下罚款；情节严重的责令停产停业，直至吊销许可证", ref(("sp", "第一百二十五条"), ("spss", "第六十七条")))],
            LAW)
    penalty(d, "安排未取得健康证明或者患有有碍食品安全疾病的人员从事接触直接入口食品的工作",
            [("设定依据", "sp", "第四十五条"), ("处罚依据", "sp", "第一百二十六条")],
            [("一般", "首次发现", "责令改正，给予警告"),
             ("从重", "拒不改正的", "处5000元以上5万元以下罚款；情节严重的，责令停产停业，直至吊销许可证")],
            FOOD_SALE)
    penalty(d, "餐具、饮具和盛放直接入口食品的容器使用前未经洗净、消毒",
            [("设定依据", "sp", "第三十三条"), ("处罚依据", "sp", "第一百二十六条")],
            [("一般", "首次发现", "责令改正，给予警告"),
             ("从重", "拒不改正的", "处5000元以上5万元以下罚款；情节严重的，责令停产停业，直至吊销许可证")],
            FOOD_SALE)
    penalty(d, "食品经营者进货时未查验许可证和相关证明文件或者未按规定建立并遵守进货查验记录制度",
            [("设定依据", "sp", "第五十三条"), ("处罚依据", "sp", "第一百二十六条")],
            [("一般", "首次发现", "责令改正，给予警告"),
             ("从重", "拒不改正的", "处5000元以上5万元以下罚款；情节严重的，责令停产停业，直至吊销许可证")],
            FOOD_SALE)
    penalty(d, "集中交易市场开办者、柜台出租者、展销会举办者允许未依法取得许可的食品经营者进入市场销售食品",
            [("设定依据", "sp", "第六十一条"), ("处罚依据", "sp", "第一百三十条")],
            [("一般", "未履行审查、检查、报告义务，未造成后果", "责令改正，没收违法所得，并处5万元以上12万元以下罚款"),
             ("从重", "造成严重后果的", "责令改正，没收违法所得，并处12万元以上20万元以下罚款；责令停业，直至由原发证部门吊销许可证")],
            FOOD_SALE)
    penalty(d, "网络食品交易第三方平台提供者未对入网食品经营者进行实名登记、审查许可证",
            [("设定依据", "sp", "第六十二条"), ("处罚依据", "sp", "第一百三十一条")],
            [("一般", "未履行实名登记、审查许可证或者报告义务，未造成后果", "责令改正，没收违法所得，并处5万元以上12万元以下罚款"),
             ("从重", "造成严重后果的", "责令改正，没收违法所得，并处12万元以上20万元以下罚款；责令停业，直至由原发证部门吊销许可证")],
            FOOD_SALE)
    penalty(d, "拒绝、阻挠、干涉食品安全监督检查、事故调查处理",
            [("设定依据", "sp", "第一百一十条"), ("处罚依据", "sp", "第一百三十三条")],
            [("一般", "拒绝、拖延监督检查，经说服教育后配合", "责令停产停业，并处2000元以上2万元以下罚款"),
             ("从重", "阻挠、干涉监督检查或者事故调查处理，情节严重", "责令停产停业，并处2万元以上5万元以下罚款；情节严重的吊销许可证")],
            LAW, remarks="构成违反治安管理行为的，移送公安机关依法给予治安管理处罚。")
    penalty(d, "利用会议、讲座、健康咨询等方式对食品进行虚假宣传",
            [("处罚依据", "spss", "第七十三条"), ("实施依据", "sp", "第一百四十条")],
            [("一般", "首次实施，影响范围较小", "责令消除影响，有违法所得的没收违法所得"),
             ("从重", "情节严重的", "依照食品安全法第一百四十条第五款的规定处罚；属于单位违法的，依照食品安全法实施条例第七十五条对单位有关责任人员给予处罚", ref(("spss", "第七十三条", "第七十五条"), ("sp", "第一百四十条")))],
            LAW)
    penalty(d, "生产、销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品",
            [("设定依据", "cp", "第十三条"), ("处罚依据", "cp", "第四十九条")],
            [("从轻", "销售者能如实说明进货来源，货值较小，及时停止销售", "责令停止生产、销售，没收违法生产、销售的产品，并处货值金额等值以上1.5倍以下罚款；有违法所得的，并处没收违法所得"),
             ("一般", "无从轻、从重情节", "责令停止生产、销售，没收违法生产、销售的产品，并处货值金额1.5倍以上2.5倍以下罚款；有违法所得的，并处没收违法所得"),
             ("从重", "涉及儿童用品、电气安全等重点产品，或者造成人身伤害、屡查屡犯", "责令停止生产、销售，没收违法生产、销售的产品，并处货值金额2.5倍以上3倍以下罚款；有违法所得的，并处没收违法所得；情节严重的，吊销营业执照")],
            LAW, exemptions=[("从轻处罚", "销售者有充分证据证明其不知道该产品为禁止销售的产品并如实说明其进货来源的，可以从轻或者减轻处罚", ref(("cp", "第五十五条")))])
    penalty(d, "在产品中掺杂、掺假，以假充真，以次充好，或者以不合格产品冒充合格产品",
            [("设定依据", "cp", "第三十二条", "第三十九条"), ("处罚依据", "cp", "第五十条")],
            [("从轻", "货值金额较小，及时停止并配合调查", "责令停止生产、销售，没收违法产品，并处货值金额50%以上1倍以下罚款；有违法所得的，并处没收违法所得"),
             ("一般", "无从轻、从重情节", "责令停止生产、销售，没收违法产品，并处货值金额1倍以上2倍以下罚款；有违法所得的，并处没收违法所得"),
             ("从重", "以假充真涉及农资、建材、儿童用品等，或者屡查屡犯", "责令停止生产、销售，没收违法产品，并处货值金额2倍以上3倍以下罚款；有违法所得的，并处没收违法所得；情节严重的，吊销营业执照")],
            LAW, exemptions=[("从轻处罚", "销售者有充分证据证明其不知道该产品为禁止销售的产品并如实说明其进货来源的，可以从轻或者减轻处罚", ref(("cp", "第五十五条")))])
    penalty(d, "销售失效、变质的产品",
            [("设定依据", "cp", "第三十五条"), ("处罚依据", "cp", "第五十二条")],
            [("从轻", "货值金额较小，主动下架", "责令停止销售，没收违法销售的产品，并处货值金额50%以下罚款；有违法所得的，并处没收违法所得"),
             ("一般", "无从轻、从重情节", "责令停止销售，没收违法销售的产品，并处货值金额50%以上1.5倍以下罚款；有违法所得的，并处没收违法所得"),
             ("从重", "造成人身伤害或者屡查屡犯", "责令停止销售，没收违法销售的产品，并处货值金额1.5倍以上2倍以下罚款；有违法所得的，并处没收违法所得；情节严重的，吊销营业执照")],
            LAW, exemptions=[("从轻处罚", "销售者有充分证据证明其不知道该产品为禁止销售的产品并如实说明其进货来源的，可以从轻或者减轻处罚", ref(("cp", "第五十五条")))])
    penalty(d, "伪造产品产地，伪造或者冒用他人厂名、厂址，伪造或者冒用认证标志等质量标志",
            [("设定依据", "cp", "第三十条", "第三十一条"), ("处罚依据", "cp", "第五十三条")],
            [("从轻", "货值金额较小，及时改正", "责令改正，没收违法生产、销售的产品，并处货值金额30%以下罚款；有违法所得的，并处没收违法所得"),
             ("一般", "无从轻、从重情节", "责令改正，没收违法生产、销售的产品，并处货值金额30%以上70%以下罚款；有违法所得的，并处没收违法所得"),
             ("从重", "冒用认证标志涉及强制性产品认证，或者屡查屡犯", "责令改正，没收违法生产、销售的产品，并处货值金额70%以上等值以下罚款；有违法所得的，并处没收违法所得；情节严重的，吊销营业执照")],
            LAW)
    penalty(d, "产品标识不符合产品质量法规定",
            [("设定依据", "cp", "第二十七条"), ("处罚依据", "cp", "第五十四条")],
            [("一般", "产品标识不符合规定", "责令改正"),
             ("从重", "有包装的产品未标注规格、等级、主要成份，或者未标注生产日期和安全使用期、失效日期，情节严重", "责令停止生产、销售，并处货值金额30%以下罚款；有违法所得的，并处没收违法所得")],
            LAW)
    penalty(d, "拒绝接受依法进行的产品质量监督检查",
            [("设定依据", "cp", "第十六条"), ("处罚依据", "cp", "第五十六条")],
            [("一般", "首次拒绝", "给予警告，责令改正"),
             ("从重", "拒不改正的", "责令停业整顿；情节特别严重的，吊销营业执照")],
            "产品质量安全监督管理科")
    penalty(d, "发布虚假广告",
            [("设定依据", "gg", "第四条"), ("处罚依据", "gg", "第五十五条")],
            [("从轻", "广告发布范围小、时间短，及时停止发布并消除影响", "责令停止发布广告，责令在相应范围内消除影响，处广告费用3倍以上3.6倍以下罚款；广告费用无法计算或者明显偏低的，处20万元以上44万元以下罚款"),
             ("一般", "无从轻、从重情节", "责令停止发布广告，责令在相应范围内消除影响，处广告费用3.6倍以上4.4倍以下罚款；广告费用无法计算或者明显偏低的，处44万元以上76万元以下罚款"),
             ("从重", "涉及食品、药品、医疗、保健等关系消费者生命健康的商品或者服务", "责令停止发布广告，处广告费用4.4倍以上5倍以下罚款；广告费用无法计算或者明显偏低的，处76万元以上100万元以下罚款"),
             ("从重", "两年内有三次以上违法行为或者有其他严重情节", "处广告费用5倍以上10倍以下罚款；广告费用无法计算或者明显偏低的，处100万元以上200万元以下罚款，可以吊销营业执照")],
            "广告监督管理科")
    penalty(d, "经营者实施混淆行为",
            [("设定依据", "fbzd", "第六条"), ("处罚依据", "fbzd", "第十八条")],
            [("从轻", "违法经营额不足5万元，及时停止并配合调查", "责令停止违法行为，没收违法商品，可以并处8万元以下罚款"),
             ("一般", "违法经营额5万元以上", "责令停止违法行为，没收违法商品，可以并处违法经营额3倍以下罚款"),
             ("从重", "违法经营额5万元以上且屡查屡犯或者造成恶劣影响", "责令停止违法行为，没收违法商品，并处违法经营额3倍以上5倍以下罚款；情节严重的，吊销营业执照")],
            "价格监督检查和反不正当竞争科", exemptions=[("减轻处罚", "主动消除或者减轻违法行为危害后果等法定情形的，依法从轻或者减轻处罚；违法行为轻微并及时纠正，没有造成危害后果的，不予处罚", ref(("fbzd", "第二十五条")))])
    penalty(d, "经营者采用财物或者其他手段进行商业贿赂",
            [("设定依据", "fbzd", "第七条"), ("处罚依据", "fbzd", "第十九条")],
            [("从轻", "贿赂数额较小，主动供述", "没收违法所得，处10万元以上100万元以下罚款"),
             ("一般", "无从轻、从重情节", "没收违法所得，处100万元以上200万元以下罚款"),
             ("从重", "贿赂数额巨大或者涉及医疗、教育等民生领域", "没收违法所得，处200万元以上300万元以下罚款；情节严重的，吊销营业执照")],
            "价格监督检查和反不正当竞争科", levels=("city",),
            exemptions=[("减轻处罚", "主动消除或者减轻违法行为危害后果等法定情形的，依法从轻或者减轻处罚", ref(("fbzd", "第二十五条")))])
    penalty(d, "经营者作虚假或者引人误解的商业宣传",
            [("设定依据", "fbzd", "第八条"), ("处罚依据", "fbzd", "第二十条")],
            [("从轻", "宣传范围小，及时停止并更正", "责令停止违法行为，处20万元以上44万元以下罚款"),
             ("一般", "无从轻、从重情节", "责令停止违法行为，处44万元以上76万元以下罚款"),
             ("从重", "组织虚假交易、刷单炒信，或者情节严重", "责令停止违法行为，处100万元以上200万元以下罚款，可以吊销营业执照")],
            "价格监督检查和反不正当竞争科",
            exemptions=[("减轻处罚", "主动消除或者减轻违法行为危害后果等法定情形的，依法从轻或者减轻处罚", ref(("fbzd", "第二十五条")))],
            remarks="属于发布虚假广告的，依照广告法处罚。")
    penalty(d, "经营者违反明码标价规定",
            [("设定依据", "jg", "第十三条"), ("处罚依据", "jg", "第四十二条")],
            [("不予处罚", "初次违反明码标价规定，危害后果轻微并及时改正的", "责令改正，不予罚款", ref(("cf", "第三十三条"))),
             ("一般", "未按规定明码标价", "责令改正，没收违法所得，可以并处2500元以下罚款"),
             ("从重", "在标价之外加价出售商品或者收取未予标明的费用", "责令改正，没收违法所得，并处2500元以上5000元以下罚款")],
            "价格监督检查和反不正当竞争科")
    penalty(d, "经营者利用虚假的或者使人误解的价格手段诱骗消费者或者其他经营者与其进行交易",
            [("设定依据", "jg", "第十四条"), ("处罚依据", "jg", "第四十条")],
            [("从轻", "没有违法所得，及时改正", "责令改正，予以警告，可以并处罚款"),
             ("一般", "有违法所得", "责令改正，没收违法所得，可以并处违法所得3倍以下罚款"),
             ("从重", "违法所得数额较大、涉及人数众多或者在重大节假日、突发事件期间实施", "责令改正，没收违法所得，并处违法所得3倍以上5倍以下罚款；情节严重的，责令停业整顿，或者吊销营业执照")],
            "价格监督检查和反不正当竞争科",
            remarks="价格主管部门的价格监督检查职责由市场监督管理部门承担。")
    penalty(d, "属于强制检定范围的计量器具未按照规定申请检定或者检定不合格继续使用",
            [("设定依据", "jl", "第九条"), ("处罚依据", "jl", "第二十五条"), ("处罚依据", "jlss", "第四十三条")],
            [("一般", "未按规定申请检定", "责令停止使用，可以并处500元以下罚款"),
             ("从重", "检定不合格继续使用，或者用于贸易结算、医疗卫生", "责令停止使用，并处500元以上1000元以下罚款")],
            "计量科")
    penalty(d, "制造、销售、使用以欺骗消费者为目的的计量器具",
            [("设定依据", "jl", "第九条"), ("处罚依据", "jl", "第二十七条"), ("处罚依据", "jlss", "第四十八条")],
            [("一般", "使用以欺骗消费者为目的的计量器具", "没收计量器具和全部违法所得，可以并处1000元以下罚款"),
             ("从重", "制造、销售，或者在农贸市场、加油站等民生领域使用", "没收计量器具和全部违法所得，并处1000元以上2000元以下罚款")],
            "计量科", remarks="构成犯罪的，对个人或者单位直接责任人员依法追究刑事责任。")
    penalty(d, "使用特种设备未按照规定办理使用登记",
            [("设定依据", "tz", "第三十三条"), ("处罚依据", "tz", "第八十三条")],
            [("一般", "责令限期改正", "责令限期改正"),
             ("从重", "逾期未改正的", "责令停止使用有关特种设备，处1万元以上10万元以下罚款")],
            "特种设备安全监察科")
    penalty(d, "使用未取得许可生产、未经检验或者检验不合格的特种设备",
            [("设定依据", "tz", "第三十二条"), ("处罚依据", "tz", "第八十四条")],
            [("从轻", "设备未投入运行或者使用时间短，主动停用", "责令停止使用有关特种设备，处3万元以上10万元以下罚款"),
             ("一般", "无从轻、从重情节", "责令停止使用有关特种设备，处10万元以上20万元以下罚款"),
             ("从重", "电梯、大型游乐设施等用于公众聚集场所，或者使用已经报废的特种设备", "责令停止使用有关特种设备，处20万元以上30万元以下罚款")],
            "特种设备安全监察科")
    penalty(d, "未经设立登记从事经营活动",
            [("设定依据", "sczt", "第三条"), ("处罚依据", "sczt", "第四十三条")],
            [("一般", "首次发现", "责令改正，没收违法所得"),
             ("从重", "拒不改正的", "处1万元以上10万元以下罚款"),
             ("从重", "情节严重的", "依法责令关闭停业，并处10万元以上50万元以下罚款")],
            "信用监督管理科", remarks="从事依法须经许可的经营活动的，依照相关许可法律法规处理。")
    penalty(d, "市场主体未依照规定办理变更登记",
            [("设定依据", "sczt", "第二十四条"), ("处罚依据", "sczt", "第四十六条")],
            [("一般", "首次发现", "责令改正"),
             ("从重", "拒不改正的", "处1万元以上10万元以下罚款；情节严重的，吊销营业执照")],
            "信用监督管理科")
    penalty(d, "经营者故意拖延或者无理拒绝消费者修理、重作、更换、退货等要求",
            [("设定依据", "xb", "第二十四条"), ("处罚依据", "xb", "第五十六条")],
            [("从轻", "经责令改正后及时履行义务", "责令改正，可以给予警告"),
             ("一般", "有违法所得", "责令改正，处违法所得1倍以上5倍以下罚款"),
             ("从重", "涉及人数众多或者拒不改正", "责令改正，处违法所得5倍以上10倍以下罚款；没有违法所得的，处50万元以下罚款；情节严重的，责令停业整顿、吊销营业执照")],
            "消费者权益保护科", remarks="处罚决定记入信用档案，向社会公布。")

    # ---- 行政强制 ------------------------------------------------------------
    enf(d, "查封、扣押不符合食品安全标准或者有证据证明存在安全隐患以及用于违法生产经营的食品、食品添加剂、食品相关产品",
        [("设定依据", "sp", "第一百一十条"), ("实施依据", "spss", "第六十一条")],
        office=LAW, statutory=30, note="情况复杂的，经负责人批准可以延长，延长期限不得超过45日（食品安全法实施条例第六十一条）；检验、检测期间不计入")
    enf(d, "查封违法从事食品生产经营活动的场所",
        [("设定依据", "sp", "第一百一十条"), ("实施依据", "spss", "第六十一条")],
        office=LAW, statutory=30, note="情况复杂的，经负责人批准可以延长，延长期限不得超过45日")
    enf(d, "查封、扣押不符合保障人体健康和人身、财产安全标准的产品及原辅材料、生产工具",
        [("设定依据", "cp", "第十八条")], office=LAW, statutory=30,
        note="情况复杂的，经负责人批准可以延长，延长期限不得超过30日（行政强制法第二十五条）")
    enf(d, "查封、扣押存在严重事故隐患或者达到报废条件的特种设备",
        [("设定依据", "tz", "第六十一条")], office="特种设备安全监察科", statutory=30,
        note="情况复杂的，经负责人批准可以延长，延长期限不得超过30日")
    enf(d, "查封、扣押与涉嫌违法广告直接相关的广告物品、经营工具、设备",
        [("设定依据", "gg", "第四十九条")], office="广告监督管理科", statutory=30,
        note="情况复杂的，经负责人批准可以延长，延长期限不得超过30日")
    enf(d, "查封、扣押与涉嫌不正当竞争行为有关的财物",
        [("设定依据", "fbzd", "第十三条")], office="价格监督检查和反不正当竞争科", statutory=30, levels=("city",),
        note="应当向设区的市级以上监督检查部门主要负责人书面报告并经批准",
        extra_impl=ref(("fbzd", "第十三条")))

    # ---- 行政检查 ------------------------------------------------------------
    inspection(d, "食品生产经营监督检查",
               [("设定依据", "sp", "第一百一十条"), ("实施依据", "sp", "第一百零九条"), ("实施依据", "spss", "第五十九条")],
               office=FOOD_SALE, plan_basis=ref(("sp", "第一百零九条"), ("spss", "第五十九条")),
               publish_basis=ref(("sp", "第一百一十三条")),
               check_desc="两名以上执法人员出示执法证件，进入生产经营场所实施现场检查，抽样检验，查阅、复制合同、票据、账簿等资料，如实记录检查结果并由被检查人签字。")
    inspection(d, "食品安全监督抽检",
               [("设定依据", "sp", "第八十七条"), ("实施依据", "sp", "第八十八条")],
               office="食品安全抽检监测科", plan_basis=ref(("sp", "第一百零九条")),
               publish_basis=ref(("sp", "第八十七条", "第一百一十八条")),
               check_desc="购买抽取样品，委托符合规定的食品检验机构检验，不得向食品生产经营者收取检验费和其他费用；告知复检权利。")
    inspection(d, "产品质量监督抽查",
               [("设定依据", "cp", "第十五条"), ("实施依据", "cp", "第十七条")],
               office="产品质量安全监督管理科", plan_basis=ref(("cp", "第十五条")),
               publish_basis=ref(("cp", "第十七条")),
               check_desc="在市场上或者企业成品仓库内的待销产品中随机抽取样品，抽样数量不超过检验的合理需要，不向被检查人收取检验费用。")
    inspection(d, "市场主体登记事项“双随机、一公开”监督检查",
               [("设定依据", "sczt", "第三十八条"), ("实施依据", "sczt", "第三十九条")],
               office="信用监督管理科", plan_basis=ref(("sczt", "第三十八条")),
               publish_basis=ref(("sczt", "第三十八条")))
    inspection(d, "特种设备安全监督检查",
               [("设定依据", "tz", "第五十七条"), ("实施依据", "tz", "第六十一条", "第六十二条")],
               office="特种设备安全监察科", plan_basis=ref(("tz", "第五十七条")),
               publish_basis=ref(("cf", "第三十九条")),
               check_desc="对学校、幼儿园、医院、车站、商场、公园等公众聚集场所的特种设备实施重点检查；发现违法行为或者事故隐患的以书面形式发出特种设备安全监察指令。")
    inspection(d, "价格监督检查",
               [("设定依据", "jg", "第三十三条"), ("实施依据", "jg", "第三十四条")],
               office="价格监督检查和反不正当竞争科", plan_basis=ref(("jg", "第三十三条")),
               publish_basis=ref(("cf", "第三十九条")),
               remarks="价格主管部门的价格监督检查职责由市场监督管理部门承担。")
    inspection(d, "强制检定计量器具使用情况监督检查",
               [("设定依据", "jl", "第九条"), ("实施依据", "jlss", "第十一条")],
               office="计量科", plan_basis=ref(("jl", "第九条")), publish_basis=ref(("cf", "第三十九条")))

    # ---- 其他 / 奖励 ------------------------------------------------------------
    generic(d, "other", "食品安全事故调查处理",
            [("设定依据", "sp", "第一百零五条"), ("实施依据", "spss", "第五十四条", "第五十七条")],
            office=FOOD_SALE,
            workflow=[("接报", "接到食品安全事故报告后立即会同卫生健康、农业农村等部门调查处理", "食品经营安全监督管理科", 1),
                      ("控制", "对事故单位封存的食品及原料、工具、设备、设施予以保护，需要封存而未封存的直接封存或者责令封存", "执法人员", 1),
                      ("调查", "通知疾病预防控制机构开展流行病学调查，查明事故原因和责任", "事故调查组", 30),
                      ("处理", "提出处理意见，依法查处违法行为，按规定报告和公布", "局负责人", 10)],
            resp=[("处置责任", "立即会同同级卫生行政、农业行政等部门进行调查处理，采取措施防止或者减轻社会危害。", ref(("sp", "第一百零五条"))),
                  ("调查责任", "对封存的物品予以保护，通知疾病预防控制机构开展流行病学调查。", ref(("spss", "第五十七条"))),
                  ("报告责任", "按规定向本级人民政府和上级主管部门报告，不得隐瞒、谎报、缓报。", ref(("sp", "第一百四十四条")))],
            acc=[("隐瞒、谎报、缓报食品安全事故，或者未按规定查处食品安全事故造成事故扩大或者蔓延的", ref(("sp", "第一百四十四条")))])
    generic(d, "reward", "食品安全违法行为举报奖励",
            [("设定依据", "sp", "第一百一十五条"), ("实施依据", "spss", "第六十五条")],
            office="投诉举报中心",
            workflow=[("受理", "受理举报并登记", "投诉举报中心", 7),
                      ("核查", "对举报线索核查处理", "业务科室、综合行政执法支队", 60),
                      ("认定", "对查证属实的举报认定奖励等级和金额", "局负责人", 15),
                      ("兑付", "通知举报人领取奖励，对举报人信息保密", "投诉举报中心", 15)],
            resp=[("受理责任", "公布电子邮件地址或者电话，接受咨询、投诉、举报；不属于本部门职责的移交有权部门并书面通知举报人。", ref(("sp", "第一百一十五条"))),
                  ("奖励责任", "对查证属实的举报给予奖励，举报所在企业重大违法犯罪行为的加大奖励力度。", ref(("spss", "第六十五条"))),
                  ("保密责任", "对举报人的信息予以保密，保护举报人的合法权益。", ref(("sp", "第一百一十五条")))],
            acc=[("不履行法定职责，或者滥用职权、玩忽职守、徇私舞弊的", ref(("sp", "第一百四十五条")))])
    return d


# ===========================================================================
# Department responsibility lists
# ===========================================================================
def resp_traffic():
    d = TP
    return {
        "department": {"name": d.name, "uscc": d.uscc, "region": REGION, "level": "city", "kind": "法定机关",
                       "consultation": d.consultation, "supervision": d.supervision},
        "main_duties": [
            {"duty": "负责全市道路交通秩序管理，依法查处道路交通安全违法行为，维护道路交通秩序，保障道路交通有序、安全、畅通。", "office": "秩序管理科",
             "work_items": [{"item": "组织路面执勤执法，查处酒后驾驶、超速、超员超载、违法停车等交通违法行为", "office": "秩序管理科"},
                            {"item": "依据交通技术监控记录资料处理交通违法行为", "office": "指挥中心"},
                            {"item": "对重点车辆、重点驾驶人和运输企业开展源头安全监管", "office": "秩序管理科"},
                            {"item": "组织大型群众性活动交通安全保障，依法实行交通管制", "office": "指挥中心"}]},
            {"duty": "负责机动车登记、机动车驾驶人考试和驾驶证核发、审验，监督机动车安全技术检验工作。", "office": "车辆管理所",
             "work_items": [{"item": "办理机动车注册、变更、转移、抵押、注销登记和临时通行牌证核发", "office": "车辆管理所"},
                            {"item": "组织机动车驾驶人考试，核发、换发、补发机动车驾驶证", "office": "车辆管理所"},
                            {"item": "核发机动车检验合格标志，监督机动车安全技术检验机构检验工作", "office": "车辆管理所"},
                            {"item": "实施道路交通安全违法行为累积记分管理和满分教育", "office": "车辆管理所"}]},
            {"duty": "负责道路交通事故处理，勘查事故现场，认定事故责任，调解损害赔偿争议，侦办交通肇事逃逸案件。", "office": "事故处理大队",
             "work_items": [{"item": "接处道路交通事故警情，组织抢救受伤人员，勘验、检查现场", "office": "事故处理大队"},
                            {"item": "制作道路交通事故认定书，配合上级机关办理复核", "office": "事故处理大队"},
                            {"item": "应当事人申请调解交通事故损害赔偿争议", "office": "事故处理大队"},
                            {"item": "通知保险公司、道路交通事故社会救助基金管理机构支付或者垫付抢救费用", "office": "事故处理大队"}]},
            {"duty": "负责道路交通安全宣传教育，提高公民道路交通安全意识。", "office": "宣传教育科",
             "work_items": [{"item": "开展交通安全宣传进学校、进企业、进农村、进社区活动", "office": "宣传教育科"},
                            {"item": "曝光典型交通违法行为和事故案例，发布出行安全提示", "office": "宣传教育科"}]},
            {"duty": "负责道路交通信号、交通技术监控设备的设置管理，排查道路交通安全隐患，参与道路规划和涉路施工交通安全审查。", "office": "科技设施科",
             "work_items": [{"item": "设置、维护交通信号灯、交通标志、交通标线和交通技术监控设备", "office": "科技设施科"},
                            {"item": "排查交通事故频发路段和交通安全严重隐患，向市人民政府报告并提出防范建议", "office": "科技设施科"},
                            {"item": "对占用、挖掘道路影响交通安全的施工作业进行交通安全审查和监督检查", "office": "科技设施科"}]},
            {"duty": "负责辖区高速公路、城市快速路道路交通安全管理。", "office": "高速公路大队",
             "work_items": [{"item": "开展高速公路巡逻管控，查处高速公路交通违法行为", "office": "高速公路大队"},
                            {"item": "在雾、雨、雪等低能见度条件下实施交通管制和车辆分流", "office": "高速公路大队"}]},
            {"duty": "负责交通警察执法监督、法制审核和队伍管理，受理群众投诉举报。", "office": "法制科",
             "work_items": [{"item": "对重大行政处罚决定进行法制审核，组织执法质量考核评议", "office": "法制科"},
                            {"item": "受理群众对交通警察执法活动的投诉、举报，及时调查核实并反馈", "office": "督察室"},
                            {"item": "组织交通警察法制和交通安全管理业务培训、考核", "office": "政治处"}]},
        ],
        "duty_boundaries": [
            {"matter": "货车超限超载治理",
             "parties": [{"department": "临江市交通运输局", "division": "负责公路超限检测站点管理，查处车辆在公路上擅自超限行驶等违反公路法的行为，实施超限运输许可，加强货运源头监管"},
                         {"department": "临江市公安局交通警察支队", "division": "负责查处货运机动车超过核定载质量等违反道路交通安全法的行为，扣留机动车至违法状态消除，配合开展路面联合治超"}],
             "basis": ref(("gl", "第五十条"), ("jt", "第四十八条", "第九十二条")),
             "case": "货车在国道超限检测站被查出既超限又超过核定载质量的，由交通运输部门依照公路法处理超限行为，同时将超载违法信息移交交警部门，交警部门依照道路交通安全法对驾驶人实施处罚并记分，对同一违法行为不重复罚款。"},
            {"matter": "网络预约出租汽车监管",
             "parties": [{"department": "临江市交通运输局", "division": "负责网约车平台公司、车辆和驾驶员的经营许可与道路运输市场监管，查处非法营运"},
                         {"department": "临江市公安局交通警察支队", "division": "负责网约车车辆登记（使用性质登记为预约出租客运）、驾驶人交通违法查处和交通事故处理，向交通运输部门推送驾驶人违法、事故和记分信息"}],
             "basis": ref(("jt", "第五条"), ("dlys", "第七条")),
             "case": "网约车驾驶人在一个记分周期内累积记满12分的，交警部门依法扣留驾驶证并将信息推送交通运输部门，由交通运输部门依法处理其网约车驾驶员资格。"},
            {"matter": "机动车安全技术检验机构监管",
             "parties": [{"department": "临江市市场监督管理局", "division": "负责检验机构资质认定、计量认证和检验设备检定，监督其执行国家机动车安全技术检验标准的情况"},
                         {"department": "临江市公安局交通警察支队", "division": "负责核发检验合格标志，监督检验过程和检验数据，查处出具虚假检验结果的行为"}],
             "basis": ref(("jt", "第十三条", "第九十四条"), ("jtss", "第十五条")),
             "case": "车辆管理所在审核检验数据时发现某检验机构存在替检、虚假检验的，依法处罚并将资质问题通报市场监督管理部门处理。"},
            {"matter": "机动车驾驶培训与考试",
             "parties": [{"department": "临江市交通运输局", "division": "对驾驶培训学校、驾驶培训班实行备案管理并监督培训活动"},
                         {"department": "临江市公安局交通警察支队", "division": "负责驾驶人考试和驾驶证核发，不得举办或者参与举办驾驶培训学校"}],
             "basis": ref(("jt", "第二十条", "第一百一十五条")),
             "case": "考试中发现某驾校学员培训学时不足的，车辆管理所将情况通报交通运输部门依法处理。"},
            {"matter": "上道路行驶的拖拉机管理",
             "parties": [{"department": "临江市农业农村局", "division": "负责拖拉机登记、安全技术检验和拖拉机驾驶证发放"},
                         {"department": "临江市公安局交通警察支队", "division": "监督农业（农业机械）主管部门行使上述职权，查处拖拉机道路交通违法行为并通报处罚、记分情况"}],
             "basis": ref(("jt", "第一百二十一条"), ("jtss", "第一百一十二条")),
             "case": "交警部门对拖拉机驾驶人作出暂扣驾驶证处罚后，定期将处罚决定书和记分情况通报农业农村部门。"},
        ],
        "supervision_rules": [
            {"name": "执法全过程记录制度", "content": "对行政处罚的启动、调查取证、审核、决定、送达、执行等进行文字、音像全过程记录并归档保存，执勤执法全程佩戴执法记录仪。",
             "basis": ref(("cf", "第四十七条"))},
            {"name": "重大执法决定法制审核制度", "content": "涉及重大公共利益、经过听证或者案情疑难复杂的处罚决定，作出前由法制科进行法制审核，未经审核或者审核未通过的不得作出决定。",
             "basis": ref(("cf", "第五十八条"))},
            {"name": "罚缴分离和不得下达罚款指标制度", "content": "实施罚款决定与罚款收缴分离，罚款全部上缴国库；不以罚款数额作为考核交通警察的标准。",
             "basis": ref(("jt", "第八十二条", "第八十六条"))},
            {"name": "执法质量考核评议和执法过错追究制度", "content": "定期开展执法质量考核评议，建立执法责任制和执法过错追究制度，防止和纠正执法中的错误或者不当行为。",
             "basis": ref(("jtss", "第一百零一条"))},
            {"name": "警风警纪监督员和举报投诉制度", "content": "公开办事制度、办事程序，聘请警风警纪监督员，公布举报电话，及时调查核实群众投诉并反馈查处结果。",
             "basis": ref(("jtss", "第九十八条", "第一百条"), ("jt", "第八十五条"))},
        ],
        "public_services": [
            {"name": "交通违法和驾驶人记分查询", "description": "通过“交管12123”、窗口和服务站提供交通违法记录、记分和处理情况查询。",
             "basis": ref(("jtss", "第二十三条")), "office": "车辆管理所"},
            {"name": "轻微交通事故快处快赔", "description": "对未造成人身伤亡、事实清楚的轻微事故引导当事人撤离现场、在线协商处理，提供快处快赔服务点。",
             "basis": ref(("jt", "第七十条"), ("jtss", "第八十六条")), "office": "事故处理大队"},
            {"name": "机动车驾驶证异地换领、补领", "description": "机动车驾驶证有效期满换证、遗失补证可在全国任一车辆管理所或者网上办理。",
             "basis": ref(("jsz", "第六十三条", "第六十九条")), "office": "车辆管理所"},
            {"name": "道路交通安全宣传教育", "description": "面向学校、企业、农村和社区开展交通安全宣传，发布出行提示和恶劣天气路况信息。",
             "basis": ref(("jt", "第六条")), "office": "宣传教育科"},
            {"name": "交通管制和限行信息公告", "description": "对大型活动、大范围施工等需要限制交通的措施提前向社会公告并提供绕行指引。",
             "basis": ref(("jt", "第三十九条"), ("jtss", "第三十五条")), "office": "指挥中心"},
        ],
    }


def resp_market():
    d = MR
    return {
        "department": {"name": d.name, "uscc": d.uscc, "region": REGION, "level": "city", "kind": "法定机关",
                       "consultation": d.consultation, "supervision": d.supervision},
        "main_duties": [
            {"duty": "负责市场主体统一登记注册，组织指导市场主体信用监管和“双随机、一公开”监督检查，查处无照经营等违法行为。", "office": "登记注册科",
             "work_items": [{"item": "办理市场主体设立、变更、注销登记，签发营业执照", "office": "登记注册科"},
                            {"item": "组织对市场主体登记事项的随机抽查并公开结果", "office": "信用监督管理科"},
                            {"item": "查处未经设立登记从事经营活动、未依法办理变更登记等行为", "office": "信用监督管理科"}]},
            {"duty": "负责食品安全监督管理，实施食品生产经营许可，组织食品安全监督检查、抽样检验和食品安全事故调查处理。", "office": "食品经营安全监督管理科",
             "work_items": [{"item": "实施食品经营许可和食品生产许可（除省级实施的特殊食品外）", "office": "行政审批科"},
                            {"item": "按照风险分级开展食品生产经营监督检查，建立食品安全信用档案", "office": "食品经营安全监督管理科"},
                            {"item": "组织食品安全监督抽检并公布抽检结果", "office": "食品安全抽检监测科"},
                            {"item": "会同卫生健康、农业农村等部门调查处理食品安全事故", "office": "食品经营安全监督管理科"},
                            {"item": "监督集中交易市场开办者、网络食品交易第三方平台落实食品安全管理责任", "office": "食品经营安全监督管理科"}]},
            {"duty": "负责产品质量安全监督管理，组织产品质量监督抽查，查处生产销售假冒伪劣产品的违法行为。", "office": "产品质量安全监督管理科",
             "work_items": [{"item": "组织实施本行政区域产品质量监督抽查，督促不合格产品生产者、销售者限期改正", "office": "产品质量安全监督管理科"},
                            {"item": "查处生产销售不合格产品、掺杂掺假、冒用质量标志等违法行为", "office": "综合行政执法支队"}]},
            {"duty": "负责特种设备安全监督管理，办理特种设备使用登记，开展特种设备安全监督检查。", "office": "特种设备安全监察科",
             "work_items": [{"item": "办理锅炉、压力容器、电梯、起重机械、大型游乐设施等特种设备使用登记", "office": "特种设备安全监察科"},
                            {"item": "对公众聚集场所特种设备实施重点监督检查，发出安全监察指令", "office": "特种设备安全监察科"},
                            {"item": "查封、扣押存在严重事故隐患或者达到报废条件的特种设备", "office": "特种设备安全监察科"}]},
            {"duty": "负责价格监督检查和反不正当竞争执法，规范市场价格行为和市场竞争秩序。", "office": "价格监督检查和反不正当竞争科",
             "work_items": [{"item": "开展明码标价、价格欺诈等价格监督检查", "office": "价格监督检查和反不正当竞争科"},
                            {"item": "查处混淆行为、商业贿赂、虚假宣传等不正当竞争行为", "office": "价格监督检查和反不正当竞争科"}]},
            {"duty": "负责广告监督管理，开展广告监测，查处虚假广告等违法广告行为。", "office": "广告监督管理科",
             "work_items": [{"item": "对广播电视、报刊、户外和互联网广告开展监测", "office": "广告监督管理科"},
                            {"item": "查处发布虚假广告等违法广告行为", "office": "广告监督管理科"}]},
            {"duty": "负责计量监督管理，实施计量标准器具核准，组织强制检定计量器具监督检查。", "office": "计量科",
             "work_items": [{"item": "组织社会公用计量标准和企业事业单位最高计量标准考核", "office": "计量科"},
                            {"item": "对集贸市场、加油站、医疗机构等使用的强制检定计量器具开展监督检查", "office": "计量科"}]},
            {"duty": "负责消费者权益保护，受理消费者投诉、举报，查处侵害消费者权益的违法行为。", "office": "消费者权益保护科",
             "work_items": [{"item": "受理12315投诉举报，在规定期限内处理并告知消费者", "office": "投诉举报中心"},
                            {"item": "查处侵害消费者合法权益的违法行为并记入信用档案", "office": "消费者权益保护科"}]},
        ],
        "duty_boundaries": [
            {"matter": "食用农产品质量安全监管",
             "parties": [{"department": "临江市农业农村局", "division": "负责食用农产品从种植养殖环节到进入批发、零售市场或者生产加工企业前的质量安全监督管理，负责农业投入品监管"},
                         {"department": "临江市市场监督管理局", "division": "负责食用农产品进入批发、零售市场或者生产加工企业后的监督管理，督促批发市场开展抽样检验"}],
             "basis": ref(("sp", "第二条", "第六十四条")),
             "case": "农贸市场抽检发现蔬菜农药残留超标的，市场监管部门依法查处销售者并追溯来源，将种植环节线索通报农业农村部门查处违法使用农药行为。"},
            {"matter": "食品安全事故调查与流行病学调查",
             "parties": [{"department": "临江市卫生健康委员会", "division": "组织疾病预防控制机构开展流行病学调查，负责食品安全风险监测"},
                         {"department": "临江市市场监督管理局", "division": "牵头调查处理食品安全事故，封存相关食品及原料、工具、设备，查处违法行为"}],
             "basis": ref(("sp", "第五条", "第一百零五条"), ("spss", "第五十七条")),
             "case": "学校食堂发生疑似食物中毒的，市场监管部门立即封存留样食品和工具，通知疾控机构开展流行病学调查，根据调查报告依法处理。"},
            {"matter": "餐具饮具集中消毒服务单位监管",
             "parties": [{"department": "临江市卫生健康委员会", "division": "对餐具饮具集中消毒服务单位进行监督检查并依法处罚"},
                         {"department": "临江市市场监督管理局", "division": "监督餐饮服务提供者查验、留存集中消毒服务单位的营业执照复印件和消毒合格证明"}],
             "basis": ref(("sp", "第一百二十六条"), ("spss", "第六十四条", "第六十九条")),
             "case": "检查中发现餐馆使用的集中消毒餐具无消毒合格证明的，市场监管部门处理餐馆，并将消毒单位线索移送卫生健康部门。"},
            {"matter": "建筑工地起重机械安全监管",
             "parties": [{"department": "临江市住房和城乡建设局", "division": "负责房屋建筑工地、市政工程工地用起重机械安装、使用的监督管理"},
                         {"department": "临江市市场监督管理局", "division": "负责起重机械制造环节和其他场所起重机械的安全监督管理"}],
             "basis": ref(("tz", "第一百条")),
             "case": "建筑工地塔式起重机安装使用中的安全问题由住房和城乡建设部门处理；发现塔机存在制造质量问题的，移交市场监管部门调查。"},
            {"matter": "价格管理与价格监督检查",
             "parties": [{"department": "临江市发展和改革委员会", "division": "负责政府定价、政府指导价的制定调整和价格监测"},
                         {"department": "临江市市场监督管理局", "division": "负责价格监督检查，查处不执行政府定价、价格欺诈、不按规定明码标价等价格违法行为"}],
             "basis": ref(("jg", "第五条", "第三十三条")),
             "case": "停车场收费超过政府指导价的，由市场监管部门依法查处，发展改革部门提供定价文件并解释政策。"},
        ],
        "supervision_rules": [
            {"name": "“双随机、一公开”监管制度", "content": "随机抽取检查对象、随机选派执法检查人员，抽查情况和查处结果及时向社会公开。",
             "basis": ref(("sczt", "第三十八条"))},
            {"name": "食品安全风险分级管理和信用档案制度", "content": "根据风险评估和食品安全状况确定监管重点、方式和频次，建立食品生产经营者信用档案，对有不良信用记录的增加检查频次。",
             "basis": ref(("sp", "第一百零九条", "第一百一十三条"))},
            {"name": "行政处罚信息公示制度", "content": "具有一定社会影响的行政处罚决定依法公开；处罚决定被变更、撤销的，三日内撤回公示信息并说明理由。",
             "basis": ref(("cf", "第四十八条"))},
            {"name": "重大执法决定法制审核制度", "content": "重大行政处罚决定作出前由法规科进行法制审核，情节复杂或者重大违法行为由局负责人集体讨论决定。",
             "basis": ref(("cf", "第五十七条", "第五十八条"))},
            {"name": "执法全过程记录制度", "content": "对执法的启动、调查取证、审核、决定、送达、执行等进行全过程记录并归档。",
             "basis": ref(("cf", "第四十七条"))},
        ],
        "public_services": [
            {"name": "12315消费投诉举报受理", "description": "受理消费者投诉、举报，自收到投诉之日起七个工作日内予以处理并告知消费者。",
             "basis": ref(("xb", "第三十九条", "第四十六条")), "office": "投诉举报中心"},
            {"name": "食品安全抽检信息公布", "description": "定期公布食品安全监督抽检结果和消费提示。",
             "basis": ref(("sp", "第八十七条", "第一百一十八条")), "office": "食品安全抽检监测科"},
            {"name": "企业信用信息公示查询", "description": "通过国家企业信用信息公示系统提供市场主体登记、年度报告和行政处罚信息查询。",
             "basis": ref(("sczt", "第三十五条")), "office": "信用监督管理科"},
            {"name": "营业执照补领", "description": "营业执照遗失或者毁坏的，市场主体通过公示系统声明作废后申请补领。",
             "basis": ref(("sczt", "第三十七条")), "office": "登记注册科"},
            {"name": "食品安全咨询", "description": "公布电话和电子邮件，接受食品安全咨询并及时答复。",
             "basis": ref(("sp", "第一百一十五条")), "office": "食品经营安全监督管理科"},
        ],
    }


# ===========================================================================
# Validation (run after writing): checks the files against docs/interchange.md
# ===========================================================================
ITEM_KEYS = {"code", "base_code", "name", "category", "parent_code", "department", "undertaking_office",
             "joint_departments", "power_source", "exercise_levels", "time_limit", "fee", "legal_bases",
             "workflow", "responsibilities", "accountability", "discretion", "exemptions", "consultation",
             "supervision", "remedies", "remarks", "effective_from"}
SUB_KEYS = {
    "department": {"name", "uscc", "region"},
    "joint_departments": {"name", "division"},
    "time_limit": {"statutory_days", "promised_days", "unit", "note"},
    "fee": {"charged", "basis", "standard"},
    "legal_bases": {"role", "law", "version", "article", "text"},
    "workflow": {"stage", "description", "actor", "time_limit_days"},
    "responsibilities": {"stage", "duty", "basis"},
    "accountability": {"circumstance", "basis"},
    "discretion": {"violation", "tier", "conditions", "sanction", "basis"},
    "exemptions": {"kind", "conditions", "basis"},
    "remedies": {"kind", "body", "time_limit"},
}
REQUIRED_SUB = {"joint_departments": {"name"}, "legal_bases": {"role", "law"}, "workflow": {"stage"},
                "responsibilities": {"stage", "duty"}, "accountability": {"circumstance"},
                "discretion": {"violation", "tier", "sanction"}, "exemptions": {"kind", "conditions"},
                "remedies": {"kind"}, "fee": {"charged"}, "department": {"name"}}
CATEGORIES = set(LETTER)
ENUMS = {
    "power_source": {"法定本级行使", "上级下放", "上级授权", "同级授权", "上级委托", "同级委托"},
    "exercise_levels": {"national", "province", "city", "county", "township"},
    "unit": {"工作日", "自然日"},
    "role": {"设定依据", "实施依据", "处罚依据", "收费依据", "追责依据"},
    "tier": {"不予处罚", "减轻", "从轻", "一般", "从重"},
    "exemption_kind": {"不予处罚", "减轻处罚", "从轻处罚", "免予强制"},
    "remedy_kind": {"行政复议", "行政诉讼"},
}
SHORT = {"name", "category", "stage", "actor", "role", "law", "version", "article", "tier", "kind", "unit",
         "power_source", "body", "violation", "office", "undertaking_office", "level", "matter", "department",
         "effective_from", "base_code", "parent_code", "code", "region", "uscc"}
CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CITE = re.compile(r"《([^》]+)》((?:第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?、?)+)")


def law_index():
    idx = {}
    for root, _, files in os.walk(LAWS_DIR):
        for fn in files:
            m = re.search(r"\((\d{4}-\d{2}-\d{2})\)\.md$", fn)
            if not m:
                continue
            title, arts = parse_law(os.path.join(root, fn))
            idx.setdefault((title, m.group(1)), arts)
            idx.setdefault((title, None), {}).update(arts)
    return idx


def walk_strings(obj, path, errs):
    if isinstance(obj, dict):
        for k, v in obj.items():
            walk_strings(v, f"{path}.{k}", errs)
            if isinstance(v, str):
                if CTRL.search(v):
                    errs.append(f"{path}.{k}: control character")
                lim = 200 if k in SHORT else 20000
                if len(v) > lim or (k != "remarks" and len(v) == 0):
                    errs.append(f"{path}.{k}: length {len(v)} out of range")
            if isinstance(v, list) and len(v) > 200:
                errs.append(f"{path}.{k}: list longer than 200")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            walk_strings(v, f"{path}[{i}]", errs)


def check_citations(s, where, idx, errs):
    for title, arts in CITE.findall(s or ""):
        for a in [x for x in arts.split("、") if x]:
            if (title, None) not in idx or a not in idx[(title, None)]:
                errs.append(f"{where}: cited 《{title}》{a} not found in demo/laws")


def check_uscc(u):
    return len(u) == 18 and all(c in ALPHABET for c in u) and uscc(u[:17]) == u


def validate_items(paths, idx):
    errs, codes, names, counts = [], set(), set(), {}
    for p in paths:
        raw = open(p, "rb").read()
        if raw.startswith(b"\xef\xbb\xbf"):
            errs.append(f"{p}: BOM")
        lines = raw.decode("utf-8").split("\n")
        file_codes = set()
        parents = []
        for n, ln in enumerate(lines, 1):
            if not ln:
                continue
            where = f"{os.path.basename(p)}:{n}"
            try:
                it = json.loads(ln)
            except ValueError as e:
                errs.append(f"{where}: bad JSON {e}")
                continue
            for k in ("code", "name", "category", "department"):
                if k not in it:
                    errs.append(f"{where}: missing {k}")
            for k in it:
                if k not in ITEM_KEYS:
                    errs.append(f"{where}: unknown key {k}")
            for k, allowed in SUB_KEYS.items():
                v = it.get(k)
                if v is None:
                    continue
                rows = v if isinstance(v, list) else [v]
                for r in rows:
                    if not isinstance(r, dict):
                        errs.append(f"{where}: {k} entry not an object")
                        continue
                    for kk in r:
                        if kk not in allowed:
                            errs.append(f"{where}: unknown key {k}.{kk}")
                    for kk in REQUIRED_SUB.get(k, ()):
                        if kk not in r:
                            errs.append(f"{where}: {k} missing {kk}")
            code = it.get("code", "")
            if not (1 <= len(code) <= 100) or not all(33 <= ord(c) <= 126 for c in code):
                errs.append(f"{where}: bad code {code!r}")
            if code in codes:
                errs.append(f"{where}: duplicate code {code}")
            codes.add(code)
            file_codes.add(code)
            if it.get("name") in names:
                errs.append(f"{where}: duplicate name {it.get('name')}")
            names.add(it.get("name"))
            if it.get("category") not in CATEGORIES:
                errs.append(f"{where}: bad category {it.get('category')}")
            counts[(os.path.basename(p), it.get("category"))] = counts.get((os.path.basename(p), it.get("category")), 0) + 1
            if "parent_code" in it:
                parents.append((where, it["parent_code"]))
            dep = it.get("department", {})
            if not re.fullmatch(r"\d{6}|\d{12}", dep.get("region", "")):
                errs.append(f"{where}: bad region")
            if "uscc" in dep and not check_uscc(dep["uscc"]):
                errs.append(f"{where}: bad uscc {dep['uscc']}")
            if it.get("power_source") and it["power_source"] not in ENUMS["power_source"]:
                errs.append(f"{where}: bad power_source")
            for lv in it.get("exercise_levels", []):
                if lv not in ENUMS["exercise_levels"]:
                    errs.append(f"{where}: bad exercise level {lv}")
            tl = it.get("time_limit") or {}
            if tl.get("unit") and tl["unit"] not in ENUMS["unit"]:
                errs.append(f"{where}: bad unit")
            for k in ("statutory_days", "promised_days"):
                if k in tl and not (isinstance(tl[k], int) and tl[k] >= 0):
                    errs.append(f"{where}: bad {k}")
            if "fee" in it and not isinstance(it["fee"].get("charged"), bool):
                errs.append(f"{where}: fee.charged not bool")
            if it.get("effective_from") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", it["effective_from"]):
                errs.append(f"{where}: bad effective_from")
            for b in it.get("legal_bases", []):
                if b["role"] not in ENUMS["role"]:
                    errs.append(f"{where}: bad role {b['role']}")
                arts = idx.get((b["law"], b.get("version")))
                if arts is None:
                    errs.append(f"{where}: law {b['law']}({b.get('version')}) not in demo/laws")
                elif b.get("article") not in arts:
                    errs.append(f"{where}: {b['law']} has no {b.get('article')}")
                elif b.get("text") is not None and b["text"] != arts[b["article"]]:
                    errs.append(f"{where}: text of {b['law']}{b['article']} is not verbatim")
            for w in it.get("workflow", []):
                if "time_limit_days" in w and not (isinstance(w["time_limit_days"], int) and w["time_limit_days"] >= 0):
                    errs.append(f"{where}: bad workflow time_limit_days")
            for dsc in it.get("discretion", []):
                if dsc["tier"] not in ENUMS["tier"]:
                    errs.append(f"{where}: bad tier {dsc['tier']}")
            for e in it.get("exemptions", []):
                if e["kind"] not in ENUMS["exemption_kind"]:
                    errs.append(f"{where}: bad exemption kind {e['kind']}")
            for r in it.get("remedies", []):
                if r["kind"] not in ENUMS["remedy_kind"]:
                    errs.append(f"{where}: bad remedy kind {r['kind']}")
            for k in ("responsibilities", "accountability", "discretion", "exemptions"):
                for r in it.get(k, []):
                    check_citations(r.get("basis"), f"{where}.{k}", idx, errs)
            check_citations((it.get("fee") or {}).get("basis"), f"{where}.fee", idx, errs)
            walk_strings(it, where, errs)
        for where, pc in parents:
            if pc not in file_codes:
                errs.append(f"{where}: parent_code {pc} not found")
    return errs, counts


def validate_resp(path, idx, names):
    errs = []
    DEP = {"name", "uscc", "region", "level", "kind", "consultation", "supervision"}
    for n, ln in enumerate(open(path, encoding="utf-8"), 1):
        if not ln.strip():
            continue
        r = json.loads(ln)
        if r["department"]["name"] not in names:
            continue  # lines written by other helpers are not ours to check
        where = f"responsibilities:{n}"
        if set(r) - {"department", "main_duties", "duty_boundaries", "supervision_rules", "public_services"}:
            errs.append(f"{where}: unknown top-level key")
        dep = r["department"]
        if set(dep) - DEP:
            errs.append(f"{where}: unknown department key")
        if dep.get("level") not in {"province", "city", "county", "township"}:
            errs.append(f"{where}: bad level")
        if dep.get("kind") not in {"法定机关", "授权组织", "受委托组织"}:
            errs.append(f"{where}: bad kind")
        if not check_uscc(dep.get("uscc", "")):
            errs.append(f"{where}: bad uscc")
        md = r.get("main_duties", [])
        if len(md) < 6:
            errs.append(f"{where}: fewer than 6 main duties")
        for m in md:
            if set(m) - {"duty", "office", "work_items"}:
                errs.append(f"{where}: unknown main_duty key")
            if not 2 <= len(m.get("work_items", [])) <= 5:
                errs.append(f"{where}: main duty needs 2-5 work items")
            for w in m.get("work_items", []):
                if set(w) - {"item", "office"}:
                    errs.append(f"{where}: unknown work item key")
        if len(r.get("duty_boundaries", [])) < 3:
            errs.append(f"{where}: fewer than 3 duty boundaries")
        for b in r.get("duty_boundaries", []):
            if set(b) - {"matter", "parties", "basis", "case"}:
                errs.append(f"{where}: unknown boundary key")
            for p in b.get("parties", []):
                if set(p) - {"department", "division"}:
                    errs.append(f"{where}: unknown party key")
            check_citations(b.get("basis"), f"{where}.boundary", idx, errs)
        if len(r.get("supervision_rules", [])) < 4:
            errs.append(f"{where}: fewer than 4 supervision rules")
        for s in r.get("supervision_rules", []):
            if set(s) - {"name", "content", "basis"}:
                errs.append(f"{where}: unknown supervision rule key")
            check_citations(s.get("basis"), f"{where}.supervision_rule", idx, errs)
        if len(r.get("public_services", [])) < 4:
            errs.append(f"{where}: fewer than 4 public services")
        for s in r.get("public_services", []):
            if set(s) - {"name", "description", "basis", "office"}:
                errs.append(f"{where}: unknown public service key")
            check_citations(s.get("basis"), f"{where}.public_service", idx, errs)
        walk_strings(r, where, errs)
    return errs


def validate(out):
    idx = law_index()
    paths = [os.path.join(out, "items", f) for f in ("traffic-police.ndjson", "market-regulation.ndjson")]
    errs, counts = validate_items(paths, idx)
    errs += validate_resp(os.path.join(out, "responsibilities.ndjson"), idx, {TP.name, MR.name})
    for (f, c), n in sorted(counts.items()):
        print(f"  {f:28s} {c:14s} {n}")
    return errs


# ===========================================================================
def clean(obj):
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [clean(v) for v in obj]
    return obj


def write_ndjson(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(clean(r), ensure_ascii=False, separators=(",", ":")) + "\n")


def append_responsibilities(path, rows):
    existing = set()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for ln in f:
                ln = ln.strip()
                if ln:
                    existing.add(json.loads(ln)["department"]["name"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    needs_nl = False
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            needs_nl = f.read(1) != b"\n"
    with open(path, "a", encoding="utf-8", newline="\n") as f:
        if needs_nl:
            f.write("\n")
        for r in rows:
            name = r["department"]["name"]
            if name in existing:
                print(f"responsibilities: {name} already present in {path}; not appended again", file=sys.stderr)
                continue
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dry-run", action="store_true", help="write outputs under /tmp/quanze-demo-dry instead of demo/")
    args = ap.parse_args()
    load_laws()
    build_traffic_police()
    build_market()
    resp = [resp_traffic(), resp_market()]
    out = "/tmp/quanze-demo-dry" if args.dry_run else DEMO
    write_ndjson(os.path.join(out, "items", "traffic-police.ndjson"), TP.items)
    write_ndjson(os.path.join(out, "items", "market-regulation.ndjson"), MR.items)
    append_responsibilities(os.path.join(out, "responsibilities.ndjson"), resp)
    unused = set(LAWFILES) - USED
    if unused:
        print("note: law files copied but not cited:", ", ".join(sorted(unused)), file=sys.stderr)
    print(f"traffic police: {len(TP.items)} items; market regulation: {len(MR.items)} items; out={out}")
    errs = validate(out)
    for e in errs:
        print("ERROR", e, file=sys.stderr)
    if errs:
        sys.exit(f"{len(errs)} validation errors")
    print("validation: OK")


if __name__ == "__main__":
    main()
