from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gov3.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from gov3.accounts.totp_sealing import install  # noqa: PLC0415 - apps are ready only now

        install()
