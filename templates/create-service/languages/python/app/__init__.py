"""${{ values.name }}: an HTTP service from the Create Service golden path."""

SERVICE_NAME = "${{ values.name }}"
# `fmt: skip`: the template writes a JSON string, which ruff would re-quote.
SERVICE_DESCRIPTION = ${{ values.description | dump }}  # fmt: skip
