module paved.dev/services/${{ values.name }}

go 1.24
