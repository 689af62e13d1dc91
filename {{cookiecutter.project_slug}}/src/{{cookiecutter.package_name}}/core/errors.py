"""Application errors: one family per HTTP outcome, each with a stable code.

Services raise these; routes never catch them. The API layer maps a family to
its status code in exactly one place (`api/errors.py`).
"""


class AppError(Exception):
    """Base of every expected failure. `code` is stable and safe to show clients."""

    code: str = "app.error"
    message: str = "Application error."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.message
        self.code = code or self.code
        super().__init__(self.message)


class NotFoundError(AppError):
    code = "not_found"
    message = "Resource not found."


class ConflictError(AppError):
    code = "conflict"
    message = "The request conflicts with the current state."


class PermissionDeniedError(AppError):
    code = "permission_denied"
    message = "You do not have permission to do this."


class AuthenticationError(AppError):
    code = "auth.not_authenticated"
    message = "Could not validate credentials."
    # RFC 6750's `error` for the challenge of the 401: set when credentials were sent and
    # refused (not missing), which tells a client to renew them rather than start over.
    bearer_error: str | None = None


class BadRequestError(AppError):
    code = "bad_request"
    message = "The request cannot be processed."


class ValidationError(AppError):
    code = "validation_error"
    message = "The request is not valid."


class ServiceUnavailableError(AppError):
    """A dependency is down or too slow: nothing is wrong with the request, and the same
    request may succeed after `retry_after` seconds."""

    code = "service.unavailable"
    message = "The service is temporarily unavailable; try again shortly."
    retry_after: int = 5


class DatabaseUnavailable(ServiceUnavailableError):
    code = "service.database_unavailable"
    message = "The database is unavailable; try again shortly."
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}


class RateLimiterUnavailable(ServiceUnavailableError):
    code = "service.rate_limiter_unavailable"
    message = "This action is rate limited and the limiter is unavailable; try again shortly."
{%- endif %}


class ItemNotFound(NotFoundError):
    code = "item.not_found"
    message = "Item not found."
{%- if cookiecutter.use_auth %}


class UserNotFound(NotFoundError):
    code = "user.not_found"
    message = "User not found."


class EmailAlreadyRegistered(ConflictError):
    code = "user.email_taken"
    message = "A user with this email already exists."


class InvalidCredentials(AuthenticationError):
    code = "auth.invalid_credentials"
    message = "Incorrect email or password."


class InvalidToken(AuthenticationError):
    code = "auth.invalid_token"
    message = "Could not validate credentials."
    bearer_error = "invalid_token"


class InactiveUser(AuthenticationError):
    code = "auth.inactive_user"
    message = "Could not validate credentials."
    bearer_error = "invalid_token"


class LastAdminError(ConflictError):
    code = "user.last_admin"
    message = "This is the last active admin: promote another user first."


class PermissionMissing(PermissionDeniedError):
    code = "permission.denied"
    message = "Your role does not allow this."


class InvalidResetToken(BadRequestError):
    code = "auth.reset_token_invalid"
    message = "The reset token is unknown, expired or already used."


class InvalidRefreshToken(AuthenticationError):
    code = "auth.invalid_refresh_token"
    message = "The refresh token is invalid, expired or revoked."


class InvalidMfaToken(AuthenticationError):
    code = "auth.invalid_mfa_token"
    message = "The MFA token is invalid or expired: log in again."


class InvalidMfaCode(AuthenticationError):
    code = "auth.invalid_mfa_code"
    message = "The code is not valid."


class MfaCodeRejected(BadRequestError):
    code = "mfa.invalid_code"
    message = "The code is not valid."


class MfaAlreadyEnabled(ConflictError):
    code = "mfa.already_enabled"
    message = "Two-factor authentication is already on; disable it first."


class MfaNotSetUp(ConflictError):
    code = "mfa.not_set_up"
    message = "No two-factor setup to confirm: start with POST /api/v1/auth/mfa/setup."


class CannotResetOwnMfa(PermissionDeniedError):
    code = "mfa.reset_own_factor"
    message = "Turn your own two-factor authentication off at /auth/mfa/disable, with a code."


class MfaNotEnabled(ConflictError):
    code = "mfa.not_enabled"
    message = "Two-factor authentication is not on."


class InvalidCurrentPassword(ValidationError):
    code = "user.invalid_current_password"
    message = "The current password is not correct."


class RateLimited(AppError):
    """Too many attempts; `retry_after` says in how many seconds to try again."""

    code = "rate_limited"
    message = "Too many requests. Try again later."

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
{%- endif %}
