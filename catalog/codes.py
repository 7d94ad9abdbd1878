"""National code tables (国家标准代码表) for the elements of an implementation list entry.

Each table is a TextChoices so that the stored value is the official code and the label is what people read.
Regional variants (e.g. Sichuan's item-type codes) are mapped to these by the importers, never stored raw.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COERCION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


# Sichuan publishes single-digit type codes; their meaning matches the national table.
SICHUAN_ITEM_TYPES = {
    "1": ItemType.LICENSING,
    "2": ItemType.PENALTY,
    "3": ItemType.COERCION,
    "4": ItemType.LEVY,
    "5": ItemType.BENEFIT,
    "6": ItemType.INSPECTION,
    "7": ItemType.CONFIRMATION,
    "8": ItemType.REWARD,
    "9": ItemType.ADJUDICATION,
    "10": ItemType.OTHER_POWER,
    "20": ItemType.PUBLIC_SERVICE,
}


class DepartmentLevel(models.TextChoices):
    NATIONAL = "1", _("国家级")
    PROVINCE = "2", _("省级")
    CITY = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWNSHIP = "5", _("乡镇级")


class DepartmentNature(models.TextChoices):
    STATUTORY = "1", _("法定机关")
    AUTHORISED = "2", _("授权组织")
    ENTRUSTED = "3", _("受委托组织")


class ServiceObject(models.TextChoices):
    NATURAL_PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    PUBLIC_INSTITUTION = "3", _("事业法人")
    SOCIAL_ORGANISATION = "4", _("社会组织法人")
    UNINCORPORATED = "5", _("非法人企业")
    ADMINISTRATIVE_ORGAN = "6", _("行政机关")
    OTHER = "9", _("其他组织")


class CaseType(models.TextChoices):
    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")


class TimeUnit(models.TextChoices):
    NATURAL_DAY = "1", _("自然日")
    WORKING_DAY = "2", _("工作日")


class OnlineDepth(models.TextChoices):
    LEVEL_1 = "1", _("Ⅰ级：网上咨询、预约")
    LEVEL_2 = "2", _("Ⅱ级：网上申报、预审")
    LEVEL_3 = "3", _("Ⅲ级：网上受理、审批")
    LEVEL_4 = "4", _("Ⅳ级：全程网办")


class SubItemRole(models.TextChoices):
    MAIN = "main", _("主项")
    SUB = "sub", _("子项")
    NONE = "none", _("无子项")


class MaterialType(models.TextChoices):
    CERTIFICATE = "1", _("证件证书证明")
    APPLICATION_FORM = "2", _("申请表格文书")
    OTHER = "3", _("其他")


class MaterialForm(models.TextChoices):
    PAPER = "1", _("纸质")
    ELECTRONIC = "2", _("电子化")
    BOTH = "3", _("纸质和电子化")


class MaterialOriginal(models.TextChoices):
    ORIGINAL = "1", _("原件")
    COPY = "2", _("复印件")
    BOTH = "3", _("原件和复印件")


class MaterialSource(models.TextChoices):
    APPLICANT = "10", _("申请人自备")
    GOVERNMENT = "20", _("政府部门核发")
    OTHER = "99", _("其他")


class MaterialNecessity(models.TextChoices):
    REQUIRED = "1", _("必要")
    OPTIONAL = "2", _("非必要")
    DEFERRABLE = "3", _("容缺后补")


class ResultType(models.TextChoices):
    CERTIFICATE = "1", _("证照")
    APPROVAL_DOCUMENT = "2", _("批文")
    OTHER = "3", _("其他")


class CodeStatus(models.TextChoices):
    """Whether a stored code could be checked against a national standard. Codes are never rewritten."""

    VALID = "valid", _("已校验")
    INVALID = "invalid", _("校验未通过")
    UNCHECKED = "unchecked", _("地方格式，无法校验")
    EMPTY = "empty", _("未填写")


class ResponsibilityStageKind(models.TextChoices):
    ACCEPTANCE = "accept", _("受理责任")
    REVIEW = "review", _("审查责任")
    DECISION = "decide", _("决定责任")
    DELIVERY = "deliver", _("送达责任")
    SUPERVISION = "supervise", _("事后监管责任")
    OTHER = "other", _("其他法律法规规章文件规定应履行的责任")
