import unittest

from app.config import Config, load_config


class LoadConfigTest(unittest.TestCase):
    def test_defaults(self) -> None:
        self.assertEqual(load_config({}), Config(port=8080, database_url="", version="dev"))
        self.assertEqual(load_config({}).database_status, "not configured")

    def test_from_environment(self) -> None:
        config = load_config(
            {
                "PORT": "9090",
                "DATABASE_URL": "postgres://u:s3cret@db/orders",
                "GIT_COMMIT": "3f9c2a1",
            }
        )
        self.assertEqual(config.port, 9090)
        self.assertEqual(config.version, "3f9c2a1")
        self.assertEqual(config.database_status, "configured")
        self.assertNotIn("s3cret", repr(config))

    def test_rejects_a_bad_port(self) -> None:
        for bad in ("eighty", "-1", "70000"):
            with self.subTest(port=bad), self.assertRaisesRegex(ValueError, "PORT must be"):
                load_config({"PORT": bad})


if __name__ == "__main__":
    unittest.main()
