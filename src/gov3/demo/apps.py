from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gov3.demo"
    label = "demo"
