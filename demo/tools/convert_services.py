#!/usr/bin/env python3
"""Converts the real service items of 广安市广安区 (../shared/data/services, from the public
v-luobo/zwfw repository, Apache-2.0) to quanze's interchange format.

Usage: python3 demo/tools/convert_services.py SRC.ndjson > demo/items/guangan-511602-services.ndjson

- task_type → category (1 许可, 5 给付, 7 确认, 8 奖励, 9 裁决, 10 其他, 20 公共服务)
- each department gets one unified social credit code: the most frequent well-formed 18-character
  code among its rows' dept_code and the agency segment of its item codes; 9-character
  organisation codes and suffixed codes are not USCCs and are dropped
- main_item (主项), when not 未分类, is kept in remarks
"""
import collections
import json
import sys

CATEGORY = {"1": "licensing", "5": "payment", "7": "confirmation", "8": "reward",
            "9": "adjudication", "10": "other", "20": "public_service"}
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_ok(code):
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return ALPHABET[(31 - total % 31) % 31] == code[17]


def main(src):
    rows = [json.loads(line) for line in open(src, encoding="utf-8") if line.strip()]
    candidates = collections.defaultdict(collections.Counter)
    for r in rows:
        for code in [r["dept_code"]] + r["item_code"].split("-"):
            if len(code) == 18 and all(c in ALPHABET for c in code):
                candidates[r["department"]][code] += 1
    uscc = {}
    for dept, counter in candidates.items():
        ranked = sorted(counter.items(), key=lambda kv: (not uscc_ok(kv[0]), -kv[1], kv[0]))
        uscc[dept] = ranked[0][0]
    for r in rows:
        dept = {"name": r["department"]}
        if r["department"] in uscc:
            dept["uscc"] = uscc[r["department"]]
        dept["region"] = r["area_code"]
        item = {"code": r["item_code"], "name": r["name"].strip(),
                "category": CATEGORY[r["task_type"]], "department": dept}
        if r["main_item"] and r["main_item"] != "未分类":
            item["remarks"] = "主项：" + r["main_item"]
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
