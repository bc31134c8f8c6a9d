import subprocess
import sys


def test_the_package_reexports_the_service_lazily():
    code = (
        "import sys, rag\n"
        "assert 'rag.service' not in sys.modules, 'import rag loaded the service'\n"
        "from rag import RagService, Settings, load_settings, Answer\n"
        "import rag.service\n"
        "assert RagService is rag.service.RagService\n"
        "print(sorted(rag.__all__))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(
        ["Answer", "Citation", "Document", "Hit", "Passage", "RagService", "Settings", "__version__", "load_settings"]
    )
