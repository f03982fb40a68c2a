from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gov3.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
