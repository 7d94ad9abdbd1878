"""Illustrative guide content for a few well-known items of the demo list.

ILLUSTRATIVE: the source list (data/catalog/guangan_items.csv) has names and codes only. Everything below —
conditions, materials, time limits, fees, places, FAQs — was written for the demo so that the guide has complete
examples. It follows the usual content of these guides but is not the department's official text.
"""

WINDOW = "广安市广安区政务服务中心（广安区金安大道二段）"
HOURS = "工作日 上午9:00–12:00，下午13:30–17:30（法定节假日除外）"

ILLUSTRATIVE_GUIDES = {
    "无犯罪记录证明": {
        "service_objects": "1",
        "case_type": "2",
        "statutory_limit": 7,
        "promised_limit": 3,
        "acceptance_conditions": "申请人为本辖区户籍人员或在本辖区居住的人员，因就业、出国（境）等需要开具本人无犯罪记录证明。",
        "handling_flow": "1. 申请：申请人到窗口或网上提交申请及材料。\n2. 受理：窗口审核材料，材料齐全的当场受理。\n3. 审查：查询违法犯罪记录信息库。\n4. 办结：出具《无犯罪记录证明》。",
        "handled_online": True,
        "online_url": "https://www.sczwfw.gov.cn/",
        "online_depth": "4",
        "visits": 0,
        "address": WINDOW + " 公安窗口",
        "office_hours": HOURS,
        "consultation_channels": "窗口咨询；电话 0826-2222110（演示）",
        "complaint_channels": "12345 政务服务便民热线",
        "result_type": "3",
        "result_name": "无犯罪记录证明",
        "materials": [
            {"name": "居民身份证", "material_type": "1", "material_form": "3", "original_or_copy": "1", "paper_copies": 1,
             "source": "20", "source_note": "公安机关核发", "necessity": "1"},
            {"name": "无犯罪记录证明申请表", "material_type": "2", "material_form": "3", "original_or_copy": "1",
             "paper_copies": 1, "paper_size": "A4", "source": "10", "necessity": "1",
             "filling_notes": "如实填写用途和使用单位"},
            {"name": "委托书及受托人身份证", "material_type": "3", "material_form": "1", "original_or_copy": "1",
             "paper_copies": 1, "source": "10", "necessity": "2", "situations": "委托他人代为申请的"},
        ],
        "legal_bases": [
            {"law": "《公安机关办理无犯罪记录证明工作规定》", "article": "第三条", "text": "公安机关为个人出具无犯罪记录证明。"},
        ],
        "faqs": [
            {"question": "外地户籍可以在本地开具吗？", "answer": "在本辖区居住的外地户籍人员，可向居住地公安机关申请开具在本地居住期间的无犯罪记录证明。"},
        ],
        "responsibility_stages": [
            {"stage": "accept", "content": "公示应当提交的材料，一次性告知补正材料，依法受理或不予受理。"},
            {"stage": "review", "content": "查询违法犯罪记录信息，核对申请人身份。"},
            {"stage": "decide", "content": "作出出具或不予出具证明的决定。"},
            {"stage": "deliver", "content": "送达无犯罪记录证明。"},
        ],
        "accountability_cases": [
            {"situation": "对符合条件的申请不予受理、不予出具证明的；违规出具证明的。",
             "basis": "《中华人民共和国公务员法》《行政机关公务员处分条例》"},
        ],
    },
    "居民身份证办理（包括临时）": {
        "service_objects": "1",
        "case_type": "2",
        "statutory_limit": 60,
        "statutory_limit_unit": "1",
        "promised_limit": 20,
        "promised_limit_unit": "2",
        "acceptance_conditions": "居住在中华人民共和国境内的中国公民申领、换领、补领居民身份证。",
        "handling_flow": "1. 申请：本人到户籍所在地或异地受理点申请，现场采集人像和指纹。\n2. 受理：审核户籍信息。\n3. 制证：上级公安机关制证。\n4. 领取：本人凭回执领取或邮寄送达。",
        "visits": 1,
        "express_delivery": True,
        "is_free": False,
        "address": WINDOW + " 户政窗口",
        "office_hours": HOURS,
        "consultation_channels": "窗口咨询；电话 0826-2222110（演示）",
        "complaint_channels": "12345 政务服务便民热线",
        "result_type": "1",
        "result_name": "中华人民共和国居民身份证",
        "materials": [
            {"name": "居民户口簿", "material_type": "1", "material_form": "1", "original_or_copy": "1", "paper_copies": 1,
             "source": "20", "source_note": "公安机关核发", "necessity": "1"},
            {"name": "原居民身份证", "material_type": "1", "material_form": "1", "original_or_copy": "1", "paper_copies": 1,
             "source": "20", "necessity": "3", "situations": "换领的"},
        ],
        "fees": [
            {"name": "居民身份证工本费", "standard": "申领、换领20元/证；丢失补领或损坏换领40元/证；临时身份证10元/证",
             "basis": "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》"},
        ],
        "legal_bases": [
            {"law": "《中华人民共和国居民身份证法》", "article": "第八条", "text": "居民身份证由居民常住户口所在地的县级人民政府公安机关签发。"},
        ],
    },
    "分公司设立登记": {
        "service_objects": "2",
        "case_type": "1",
        "statutory_limit": 15,
        "promised_limit": 1,
        "acceptance_conditions": "公司设立分公司，应当向分公司所在地的登记机关申请登记，领取营业执照。",
        "handling_flow": "1. 申请：通过四川省企业登记全程电子化平台或窗口提交申请。\n2. 受理审查：材料齐全、符合法定形式的予以受理。\n3. 决定：准予登记的，核发营业执照。",
        "handled_online": True,
        "online_url": "https://www.sczwfw.gov.cn/",
        "online_depth": "4",
        "visits": 0,
        "express_delivery": True,
        "address": WINDOW + " 市场准入窗口",
        "office_hours": HOURS,
        "consultation_channels": "窗口咨询；电话 0826-2338800（演示）",
        "complaint_channels": "12345 政务服务便民热线",
        "result_type": "1",
        "result_name": "营业执照（分公司）",
        "materials": [
            {"name": "分公司登记申请书", "material_type": "2", "material_form": "3", "original_or_copy": "1",
             "paper_copies": 1, "paper_size": "A4", "source": "10", "necessity": "1"},
            {"name": "公司营业执照复印件", "material_type": "1", "material_form": "3", "original_or_copy": "2",
             "paper_copies": 1, "source": "20", "source_note": "市场监督管理部门核发", "necessity": "1"},
            {"name": "分公司营业场所使用证明", "material_type": "3", "material_form": "3", "original_or_copy": "2",
             "paper_copies": 1, "source": "10", "necessity": "1"},
        ],
        "legal_bases": [
            {"law": "《中华人民共和国市场主体登记管理条例》", "article": "第二十三条", "text": "市场主体设立分支机构，应当向分支机构所在地的登记机关申请登记。"},
        ],
        "faqs": [
            {"question": "分公司名称有什么要求？", "answer": "分公司名称应当冠以其所从属公司的名称，缀以“分公司”字样。"},
        ],
        "responsibility_stages": [
            {"stage": "accept", "content": "一次性告知所需材料，材料齐全、符合法定形式的予以受理。"},
            {"stage": "decide", "content": "准予登记的核发营业执照；不予登记的书面说明理由。"},
            {"stage": "supervise", "content": "依法对分公司登记事项进行监督检查。"},
        ],
    },
    "食品小经营店备案发放": {
        "service_objects": "2,5",
        "case_type": "2",
        "promised_limit": 5,
        "acceptance_conditions": "在本辖区从事食品经营、有固定经营场所、从业人员少、经营条件简单的食品小经营店。",
        "handling_flow": "1. 申请：经营者提交备案材料。\n2. 审查：对材料进行审查，必要时现场核查。\n3. 发放：符合条件的发放备案证。",
        "visits": 1,
        "address": WINDOW + " 市场监管窗口",
        "office_hours": HOURS,
        "consultation_channels": "窗口咨询；电话 0826-2338900（演示）",
        "complaint_channels": "12315 市场监管投诉举报热线",
        "materials": [
            {"name": "食品小经营店备案申请表", "material_type": "2", "material_form": "1", "original_or_copy": "1",
             "paper_copies": 1, "paper_size": "A4", "source": "10", "necessity": "1"},
            {"name": "经营者身份证明", "material_type": "1", "material_form": "1", "original_or_copy": "2",
             "paper_copies": 1, "source": "20", "necessity": "1"},
            {"name": "从业人员健康证明", "material_type": "1", "material_form": "1", "original_or_copy": "2",
             "paper_copies": 1, "source": "20", "source_note": "卫生健康部门指定机构出具", "necessity": "1"},
        ],
        "legal_bases": [
            {"law": "《四川省食品小作坊、小经营店及摊贩管理条例》", "article": "第十二条"},
        ],
    },
}
