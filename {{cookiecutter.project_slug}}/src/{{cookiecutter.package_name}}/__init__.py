"""{{ cookiecutter.project_name }}: {{ cookiecutter.description }}"""

__version__ = "{{ cookiecutter.version }}"
