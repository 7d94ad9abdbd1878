"""Sign-up and sign-in forms of applicants (Chinese messages; codes checked by catalog's validators)."""

import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from catalog.validators import check_credit_code, check_resident_id

from .models import Applicant, ApplicantKind

MOBILE = re.compile(r"1[3-9][0-9]{9}")
NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z·•.．\u3007 ]{2,50}")


class SignUpForm(forms.Form):
    kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices, widget=forms.RadioSelect,
                             initial=ApplicantKind.PERSON)
    name = forms.CharField(label="姓名", max_length=50, help_text="与居民身份证上的姓名一致")
    id_number = forms.CharField(label="居民身份证号码", max_length=18, help_text="18位，最后一位可能是 X")
    mobile = forms.CharField(label="手机号码", max_length=11, help_text="用于登录")
    company_name = forms.CharField(label="单位名称", max_length=200, required=False,
                                   help_text="以单位名义申请时填写，与营业执照一致")
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False,
                                  help_text="以单位名义申请时填写，18位")
    password = forms.CharField(label="密码", widget=forms.PasswordInput(render_value=False), strip=False,
                               help_text="至少8位，不能全是数字，不要与手机号码相同")
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput(render_value=False), strip=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not NAME.fullmatch(name):
            raise ValidationError("请填写与居民身份证一致的姓名")
        return name

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip().upper()
        error = check_resident_id(value)
        if error:
            raise ValidationError(f"居民身份证号码不正确，请核对后重新填写（{error}）")
        return value

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if not MOBILE.fullmatch(value):
            raise ValidationError("请填写正确的11位手机号码")
        if Applicant.objects.filter(mobile=value).exists() or \
                get_user_model().objects.filter(username=value).exists():
            raise ValidationError("这个手机号码已经注册，请直接登录")
        return value

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"].strip().upper()
        if value:
            error = check_credit_code(value)
            if error:
                raise ValidationError(error)
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == ApplicantKind.COMPANY:
            if not data.get("company_name", "").strip():
                self.add_error("company_name", "以单位名义申请，请填写单位名称")
            if not data.get("credit_code") and "credit_code" not in self.errors:
                self.add_error("credit_code", "以单位名义申请，请填写统一社会信用代码")
        else:
            data["company_name"], data["credit_code"] = "", ""
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", "两次输入的密码不一致")
        elif password:
            user = get_user_model()(username=data.get("mobile", ""), first_name=data.get("name", ""))
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class SignInForm(forms.Form):
    # Named "username" so that django-axes counts failures per number and address, as for the admin login.
    username = forms.CharField(label="手机号码", max_length=11)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, strip=False)
