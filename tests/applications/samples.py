"""The form the applications tests fill in: the 无犯罪记录证明 shape (agent fields only when 委托=是), as plain
block data like the designer stores it."""

YES_NO = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
VALID_ID = "11010519491231002X"
OTHER_ID = "110105194912310029"  # wrong check digit
AGENT_ID = "11010819900101001X"


def block(kind, **value):
    return {"type": kind, "value": value}


def step(key, title, *fields, visible_when=""):
    return block("step", key=key, title=title, help_text="", visible_when=visible_when, fields=list(fields))


QUESTIONS = [
    {"key": "agent", "text": "是否委托他人代办？", "kind": "single", "options": YES_NO, "help": ""},
    {"key": "use", "text": "证明的用途是什么？", "kind": "single", "help": "",
     "options": [{"value": "job", "label": "就业、入职"}, {"value": "abroad", "label": "出国（境）"},
                 {"value": "other", "label": "其他"}]},
]
MATERIALS = [
    {"name": "居民身份证", "necessity": "1", "material_type": "1", "material_form": "1"},
    {"name": "委托书", "necessity": "1", "material_type": "2", "material_form": "1",
     "required_when": {"==": [{"var": "situation.agent"}, "yes"]}},
]


def steps():
    return [
        step("applicant", "申请人信息",
             block("person_name", key="name", label="姓名", required=True, prefill="name"),
             block("id_number", key="id_number", label="居民身份证号码", required=True, prefill="id_number"),
             block("mobile", key="mobile", label="手机号码", required=True, prefill="mobile"),
             block("group", key="agent_group", label="代办人", visible_when="是否委托他人代办？=是", fields=[
                 block("person_name", key="agent_name", label="代办人姓名", required=True),
                 block("id_number", key="agent_id", label="代办人身份证号码", required=True),
             ]),
             block("textarea", key="other_use", label="其他用途说明", required=False,
                   required_when="证明的用途是什么？=其他", max_length=100)),
        step("details", "申请内容",
             block("number", key="copies", label="份数", required=True, min_value=1, max_value=5),
             block("amount", key="fee", label="单价", required=False),
             block("amount", key="total", label="合计", value='{"*": [{"var": "form.copies"}, {"var": "form.fee"}]}'),
             block("yes_no", key="mail", label="是否邮寄", required=True),
             block("address", key="mail_address", label="邮寄地址", required=True, visible_when="是否邮寄=是"),
             block("repeat", key="members", label="同行人员", item_label="人员", min_count=0, max_count=2,
                   fields=[block("person_name", key="member_name", label="姓名", required=True),
                           block("id_number", key="member_id", label="身份证号码", required=False)]),
             block("division", key="region", label="户籍所在地", required=False, level="county"),
             block("upload", key="id_scan", label="身份证扫描件", material="居民身份证", max_files=2),
             block("upload", key="proxy_scan", label="委托书", material="委托书", max_files=1),
             block("declaration", key="promise", label="承诺书", text="本人承诺所填信息真实。")),
    ]
