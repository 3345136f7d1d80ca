import unittest

from app.config import parse_secret_versions
from app.database import ScramClient, check_database


class DatabaseCheckTest(unittest.TestCase):
    def test_without_a_url_it_is_not_configured(self) -> None:
        self.assertEqual(check_database(""), "not configured")

    def test_a_closed_port_is_unreachable(self) -> None:
        url = "postgres://orders:s3cret@127.0.0.1:9/orders"
        self.assertEqual(check_database(url), "unreachable (ConnectionRefusedError)")

    def test_scram_sha_256_as_rfc_7677_computes_it(self) -> None:
        client = ScramClient("pencil", "rOprNGfwEbeRWgbNEkqO", "user")
        self.assertEqual(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        self.assertEqual(
            client.client_final(
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
            ),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        )
        self.assertTrue(client.verify_server("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        self.assertFalse(client.verify_server("v=AAAA"))

    def test_secret_versions_come_from_the_pod_annotation(self) -> None:
        self.assertEqual(
            parse_secret_versions("app=1,database=2,env/staging=12"),
            {"app": 1, "database": 2, "env/staging": 12},
        )
        self.assertEqual(parse_secret_versions(""), {})
        self.assertEqual(parse_secret_versions("app=x,=3,env/staging"), {})


if __name__ == "__main__":
    unittest.main()
