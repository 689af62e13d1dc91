"""{{ cookiecutter.project_name }}: the service package (see README.md)."""

__version__ = "{{ cookiecutter.version }}"
