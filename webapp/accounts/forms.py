from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import Optional

from webapp.accounts.roles import Role
from webapp.forms import (
    BaseForm,
    LocalDateField,
    email_address,
    input_required,
    max_length,
    names_no_question,
    required,
)

ROLE_CHOICES = [
    (Role.YOUNG_PERSON.value, _l("I'm a young person (13 to 25)")),
    (Role.PARENT.value, _l("I'm a parent or carer")),
    (Role.PROFESSIONAL.value, _l("I work with young people (for example at a GP surgery, school or charity)")),
]


class RegisterForm(BaseForm):
    role = RadioField(_l("Who are you?"), choices=ROLE_CHOICES,
                      validators=[names_no_question(input_required(_l("Choose who you are.")))])
    email = EmailField(_l("Email address"), validators=[required(_l("Enter your email address.")),
                                                         email_address(), max_length(254)])
    password = PasswordField(
        _l("Create a password"),
        description=_l("At least 8 characters. Three random words are easy to remember and hard to guess."),
        validators=[required(_l("Create a password."))],
    )
    date_of_birth = LocalDateField(_l("Date of birth"), validators=[Optional()],
                              description=_l("Young people only. We use it to check Flourish is right for you."))
    display_name = StringField(_l("What should we call you? (optional)"), validators=[Optional(), max_length(80)])
    organisation = StringField(_l("Organisation (professionals only, optional)"),
                               validators=[Optional(), max_length(120)])


class LoginForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[required(_l("Enter your email address.")), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(_l("Enter your password."))])
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[required(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[required(_l("Create a new password."))],
                                 description=_l("At least 8 characters. Changing it signs you out everywhere else."))


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[required(_l("Enter your password."))])
    confirm = BooleanField(_l("I understand that my account and everything in it will be deleted for good"),
                           validators=[names_no_question(required(_l("Tick the box to confirm.")))])


class LanguageForm(BaseForm):
    locale = HiddenField()
    next = HiddenField()


class LogoutForm(BaseForm):
    pass


class SecondFactorForm(BaseForm):
    """The code step of staff sign-in: a code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code your authenticator app shows for Flourish. Lost your phone? "
                       "Enter one of your recovery codes instead."),
        validators=[required(_l("Enter the code from your authenticator app.")), max_length(40)],
    )


class ConfirmAuthenticatorForm(BaseForm):
    code = StringField(
        _l("Code from your app"),
        description=_l("The 6-digit code your authenticator app now shows for Flourish."),
        validators=[required(_l("Enter the code from your authenticator app.")), max_length(40)],
    )


class NewRecoveryCodesForm(BaseForm):
    code = StringField(
        _l("Code from your app"),
        description=_l("To make new recovery codes, enter the 6-digit code your authenticator app shows now."),
        validators=[required(_l("Enter the code from your authenticator app.")), max_length(40)],
    )


class FinishSignUpForm(BaseForm):
    password = PasswordField(
        _l("Your password"),
        description=_l("The password you chose when you made your account. We ask again so that only the "
                       "person who started signing up can finish."),
        validators=[required(_l("Enter the password you chose."))])


class RequestPasswordResetForm(BaseForm):
    email = EmailField(_l("Email address"),
                       description=_l("The email address you sign in with."),
                       validators=[required(_l("Enter your email address.")), email_address(), max_length(254)])


class NewPasswordForm(BaseForm):
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 8 characters. Three random words are easy to remember and hard to guess. "
                       "Setting it signs you out everywhere."),
        validators=[required(_l("Create a new password."))])


class ProveContactForm(BaseForm):
    code = StringField(_l("Code"), description=_l("The 6 digits in the message we sent."),
                       validators=[required(_l("Enter the 6-digit code we sent.")), max_length(20)])


class SendCodeForm(BaseForm):
    """Ask for a (new) code: no fields but the CSRF token."""
