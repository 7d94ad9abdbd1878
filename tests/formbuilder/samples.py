"""Form definitions for the tests and the benchmark, as plain data (formbuilder.compile's source)."""

import json
import random

YES_NO = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
VALID_ID = "11010519491231002X"
VALID_CREDIT_CODE = "91110000600037341L"


def resident_id(rng: random.Random) -> str:
    """A valid resident ID number (GB 11643) born 1950–2005 in 北京市朝阳区 or 海淀区 (codes valid in every year)."""
    body = f"{rng.choice(['110105', '110108'])}{rng.randrange(1950, 2006)}{rng.randrange(1, 13):02d}" \
           f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    check = (1 - 2 * int(body, 13)) % 11
    return body + ("X" if check == 10 else str(check))


def block(kind, **value):
    return {"type": kind, "value": value}


def step(key, title, *fields, visible_when=""):
    return block("step", key=key, title=title, help_text="", visible_when=visible_when, fields=list(fields))


def check(rule, message, field=""):
    return block("check", rule=json.dumps(rule) if isinstance(rule, dict) else rule, message=message, field=field)


def source(steps, checks=(), questions=(), materials=(), title="测试表单"):
    return {"title": title, "situations_first": True, "situations_title": "办理情形", "steps": list(steps),
            "checks": list(checks), "questions": list(questions), "materials": list(materials), "item": {}}


AGENT_QUESTION = {"key": "agent", "text": "是否委托他人代办？", "kind": "single", "options": YES_NO, "help": "",
                  "asked_when": None}
USE_QUESTION = {"key": "use", "text": "证明的用途是什么？", "kind": "single", "help": "", "asked_when": None,
                "options": [{"value": "job", "label": "就业、入职"}, {"value": "abroad", "label": "出国（境）"},
                            {"value": "other", "label": "其他"}]}
PROXY_MATERIAL = {"name": "委托书", "required_when": {"==": [{"var": "situation.agent"}, "yes"]}, "necessity": "1"}
ID_MATERIAL = {"name": "居民身份证", "required_when": None, "necessity": "1"}


def agent_form():
    """The 无犯罪记录证明 shape: agent fields shown only when 委托=是, a computed total, a date range, a check."""
    return source(
        [
            step("applicant", "申请人",
                 block("person_name", key="name", label="姓名", required=True),
                 block("id_number", key="id_number", label="居民身份证号码", required=True),
                 block("mobile", key="mobile", label="手机号码", required=True),
                 block("group", key="agent_group", label="代办人", visible_when="是否委托他人代办？=是", fields=[
                     block("person_name", key="agent_name", label="代办人姓名", required=True),
                     block("id_number", key="agent_id", label="代办人身份证号码", required=True),
                 ]),
                 block("textarea", key="other_use", label="其他用途说明", required=False,
                       required_when="证明的用途是什么？=其他", max_length=100)),
            step("details", "申请内容",
                 block("number", key="copies", label="份数", required=True, min_value=1, max_value=5),
                 block("amount", key="fee", label="单价", required=False),
                 block("amount", key="total", label="合计", value='{"*": [{"var": "form.copies"}, '
                                                                  '{"var": "form.fee"}]}'),
                 block("date_range", key="period", label="查询期间", required=False),
                 block("yes_no", key="mail", label="是否邮寄", required=True),
                 block("address", key="mail_address", label="邮寄地址", required=True, visible_when="是否邮寄=是"),
                 block("repeat", key="members", label="同行人员", item_label="人员", min_count=0, max_count=3,
                       fields=[block("person_name", key="member_name", label="姓名", required=True),
                               block("id_number", key="member_id", label="身份证号码", required=False)]),
                 block("upload", key="id_scan", label="身份证扫描件", material="居民身份证", max_files=2),
                 block("upload", key="proxy_scan", label="委托书", material="委托书", max_files=1),
                 block("declaration", key="promise", label="承诺书", text="本人承诺所填信息真实。")),
        ],
        checks=[check({"<=": [{"var": "form.total"}, 100]}, "合计金额不能超过100元", "total")],
        questions=[AGENT_QUESTION, USE_QUESTION],
        materials=[ID_MATERIAL, PROXY_MATERIAL],
    )


def agent_data(**changes):
    data = {
        "situation": {"agent": "no", "use": "job"},
        "form": {"name": "张三", "id_number": VALID_ID, "mobile": "13812345678", "copies": 2, "fee": 12.5,
                 "mail": "no", "id_scan": ["f1"], "promise": True},
    }
    for key, value in changes.items():
        root, _dot, name = key.partition("__")
        data[root][name] = value
    return data


# --- the benchmark's form: 40 fields in 3 steps, 10 rules --------------------------------------------------------
def benchmark_form():
    questions = [AGENT_QUESTION, USE_QUESTION]
    applicant = [
        block("person_name", key="name", label="姓名", required=True),
        block("id_number", key="id_number", label="居民身份证号码", required=True),
        block("mobile", key="mobile", label="手机号码", required=True),
        block("phone", key="phone", label="固定电话", required=False),
        block("email", key="email", label="电子邮箱", required=False),
        block("postcode", key="postcode", label="邮政编码", required=True),
        block("division", key="division", label="行政区划", required=True),
        block("address", key="address", label="详细地址", required=True),
        block("date", key="birth", label="出生日期", required=True),
        block("select", key="education", label="学历", options="a=小学\nb=中学\nc=大学", required=True),
        block("radio", key="sex", label="性别", options="m=男\nf=女", required=True),
        block("yes_no", key="has_company", label="是否有工作单位", required=True),
        block("credit_code", key="company_code", label="单位统一社会信用代码", required=True,
              visible_when="是否有工作单位=是"),  # rule 1
        block("text", key="company_name", label="单位名称", required=True, visible_when="是否有工作单位=是",
              max_length=100),  # rule 2
        block("person_name", key="agent_name", label="代办人姓名", required=True,
              visible_when="是否委托他人代办？=是"),  # rule 3
        block("id_number", key="agent_id", label="代办人身份证号码", required=True,
              visible_when="是否委托他人代办？=是"),  # rule 4
        block("mobile", key="agent_mobile", label="代办人手机号码", required=True,
              visible_when="是否委托他人代办？=是"),  # rule 5
        block("textarea", key="reason", label="用途说明", required=False, required_when="证明的用途是什么？=其他"),  # 6
    ]
    details = [
        block("number", key="a", label="数量一", required=True, min_value=0, max_value=1000),
        block("number", key="b", label="数量二", required=True, min_value=0, max_value=1000),
        block("amount", key="price", label="单价", required=True, max_value=10000),
        block("amount", key="deposit", label="押金", required=False),
        block("amount", key="total", label="合计", value='{"*": [{"+": [{"var": "form.a"}, {"var": "form.b"}]}, '
                                                         '{"var": "form.price"}]}'),  # rule 7
        block("date_range", key="period", label="期间", required=True),
        block("checkboxes", key="purposes", label="用途", options="x=甲\ny=乙\nz=丙", required=True, max_count=3),
        block("text", key="note1", label="备注一", required=False, max_length=50),
        block("text", key="note2", label="备注二", required=False, max_length=50, pattern="^[^<>]*$"),
        block("text", key="note3", label="备注三", required=False, min_length=2, max_length=50),
        block("textarea", key="detail", label="详细情况", required=False),
        block("upload", key="id_scan", label="身份证扫描件", material="居民身份证", max_files=2),
        block("upload", key="proxy_scan", label="委托书", material="委托书", max_files=1),  # rule 8 (the material's)
        block("number", key="qty", label="件数", required=False, required_when="是否有工作单位=是"),  # rule 9
        block("select", key="channel", label="领取方式", options="self=自取\nmail=邮寄", required=True),
        block("address", key="mail_address", label="邮寄地址", required=False),
        block("postcode", key="mail_postcode", label="邮寄邮编", required=False),
        block("mobile", key="contact", label="联系电话", required=False),
        block("email", key="contact_email", label="联系邮箱", required=False),
        block("declaration", key="promise", label="承诺书", text="本人承诺所填信息真实。"),
    ]
    checks = [check({"<=": [{"var": "form.total"}, 1000000]}, "合计金额过大", "total")]  # rule 10
    return source([step("applicant", "申请人", *applicant), step("details", "申请内容", *details)], checks=checks,
                  questions=questions, materials=[ID_MATERIAL, PROXY_MATERIAL])


def benchmark_submissions(count: int, seed: int = 20261201) -> list[dict]:
    """Submissions of the benchmark form: most valid, some with a mistake or a hidden value, as people send."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        agent, company = rng.choice(["yes", "no"]), rng.choice(["yes", "no"])
        form = {
            "name": rng.choice(["张三", "李四", "欧阳娜娜", "阿卜杜·热合曼"]), "id_number": resident_id(rng),
            "mobile": f"13{rng.randrange(10**9):09d}", "phone": "0826-2222222", "email": "a@example.cn",
            "postcode": "638000", "division": "511602", "address": "广安区建安路1号", "birth": "1990-05-17",
            "education": rng.choice("abc"), "sex": rng.choice("mf"), "has_company": company,
            "company_code": VALID_CREDIT_CODE, "company_name": "某某公司", "reason": "",
            "a": rng.randrange(100), "b": rng.randrange(100), "price": rng.randrange(10000) / 100,
            "total": 1, "period": {"start": "2026-01-01", "end": "2026-03-01"},
            "purposes": rng.sample("xyz", rng.randrange(1, 3)), "note1": "无", "note2": "无", "note3": "没有",
            "detail": "", "id_scan": ["file1"], "qty": 3, "channel": "self", "promise": True,
        }
        if agent == "yes":
            form.update(agent_name="王五", agent_id=resident_id(rng), agent_mobile="13900000000", proxy_scan=["file2"])
        if index % 10 == 0:
            form["mobile"] = "1381234567"  # a digit short
        if index % 15 == 0:
            form["agent_name"] = "不该出现"  # a hidden field's value when agent == no
        out.append({"situation": {"agent": agent, "use": rng.choice(["job", "abroad"])}, "form": form})
    return out
