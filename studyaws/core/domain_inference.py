"""A question's exam domain, inferred from its text (stem, options and explanation).

Imported question banks rarely name the exam domain of their questions. This table maps
the words and services of the exam guides to the domains of each exam:

- SAA-C03, AWS Certified Solutions Architect - Associate exam guide: its task statements
  (Domain 1 Design Secure Architectures, 2 Resilient, 3 High-Performing, 4 Cost-Optimized)
  and its appendix of in-scope AWS services,
  https://docs.aws.amazon.com/aws-certification/latest/solutions-architect-associate-03/solutions-architect-associate-03.html
  (the domains: .../solutions-architect-associate-03-domain1.html to -domain4.html).
- CLF-C02, AWS Certified Cloud Practitioner exam guide: its task statements (Domain 1 Cloud
  Concepts, 2 Security and Compliance, 3 Cloud Technology and Services, 4 Billing, Pricing,
  and Support) and its appendix of in-scope AWS services,
  https://docs.aws.amazon.com/aws-certification/latest/cloud-practitioner-02/cloud-practitioner-02.html
  (the domains: .../cloud-practitioner-02-domain1.html to -domain4.html).

What decides an SAA-C03 domain is mostly what the question asks for, not which services it
names: "MOST cost-effective" is a cost question whatever it stores, "highly available" a
resilience question whatever it runs. So the words of intent weigh most (4; the cost ones
8, since "the MOST cost-effective way to encrypt" is a cost question), the concepts of a
task statement less (2 to 3), and services the guide ties to one domain least (1 to 3).
CLF-C02 questions are more often "which service does X", so its services weigh more. Each
phrase counts once per text; one in the first LEAD_WORDS words (the stem: the text is the
stem, then the options, then the explanation) counts LEAD_FACTOR times. A domain is chosen
when it has MIN_SCORE and leads the next by MARGIN. A question that states no requirement
("Does Route 53 support MX records?") is then decided by SERVICES, each service's home
domain in the guide. Otherwise, and on a tie, the exam is left out.

The answer places the text in each exam's domains; it does not say which exam a question
was written for (an SAA-C03 question also gets a CLF-C02 domain, mostly
technology-services). `exams_named` reads which exam a bank names in its title.

Pure and fast: the text is split into words once, and phrases are found by their first
word in a dictionary; a question costs a fraction of a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SAA = "saa-c03"
CLF = "clf-c02"

# Below this score a domain is not chosen at all (FALLBACK_MIN_SCORE when services are
# counted too); the leader must also beat the runner-up by MARGIN. In the weights below.
MIN_SCORE = 3.0
FALLBACK_MIN_SCORE = 2.0
MARGIN = 1.0
# Phrases among the first LEAD_WORDS words, the stem of most questions, weigh more.
LEAD_WORDS = 60
LEAD_FACTOR = 2.0

# exam -> domain -> {phrase: weight}. A phrase is words separated by spaces, matched
# whatever the case, punctuation and hyphens between them ("cost-effective" is
# "cost effective"), with a plural "s" dropped. A last word ending in "*" is a prefix.
TABLE: dict[str, dict[str, dict[str, float]]] = {
    SAA: {
        "secure": {
            # 1.1 secure access; 1.2 secure workloads; 1.3 data security controls.
            "least privilege": 4, "encrypt*": 4, "decrypt*": 4, "unauthoriz*": 4,
            "compliance": 4, "compliant": 4, "regulat*": 4, "audit*": 3, "sensitive": 3,
            "pii": 4, "personally identifiable": 4, "ddos": 4, "sql injection": 4,
            "cross site scripting": 4, "attack*": 3, "malicious": 4, "threat*": 3,
            "vulnerabilit*": 4, "exploit*": 3, "in transit": 4, "at rest": 4,
            "exfiltrat*": 4, "mfa": 4, "multi factor": 4, "permission*": 3,
            "credential*": 3, "access control": 3, "restrict*": 2, "public access": 3,
            "securely": 3, "secure": 2, "security": 1, "protect*": 1, "tamper*": 3,
            "identity": 2, "authenticat*": 3, "authoriz*": 3, "federat*": 3,
            "single sign on": 3, "sso": 3, "identity center": 3, "sts": 2,
            "assume role": 2, "assumerole": 2, "iam": 2, "role": 1, "polic*": 0.5,
            "bucket policy": 2, "key policy": 3, "trust policy": 3,
            "resource based policy": 3, "service control policy": 3, "scp": 3,
            "permissions boundary": 3, "deny": 2, "password*": 3, "secret*": 3,
            "rotat*": 2, "kms": 3, "cloudhsm": 3, "hsm": 3, "key management": 3,
            "customer managed key": 3, "sse": 3, "tls": 3, "ssl": 3, "https": 2,
            "certificate*": 2, "acm": 2, "waf": 3, "web application firewall": 3,
            "shield": 3, "guardduty": 3, "macie": 3, "inspector": 3, "security hub": 3,
            "detective": 2, "cognito": 2, "firewall*": 2, "security group": 2,
            "network acl": 2, "nacl": 2, "cloudtrail": 2, "aws config": 2,
            "access analyzer": 3, "control tower": 2, "guardrail*": 2, "organizations": 1,
            "object lock": 3, "vault lock": 3, "worm": 3, "legal hold": 3,
            "presigned": 2, "pre signed": 2, "signed url": 2, "signed cookie": 2,
            "origin access": 2, "oac": 2, "oai": 2, "bastion": 2, "session manager": 2,
            "privatelink": 1, "vpc endpoint": 1, "private subnet": 1, "isolat*": 1,
            "governance": 1, "directory service": 2, "active directory": 1,
        },
        "resilient": {
            # 2.1 scalable and loosely coupled; 2.2 highly available and fault tolerant.
            "highly available": 4, "high availability": 4, "fault tolerant": 4,
            "fault tolerance": 4, "disaster recovery": 4, "disaster": 3, "rto": 4,
            "rpo": 4, "recovery time objective": 4, "recovery point objective": 4,
            "failover": 4, "fail over": 4, "failure*": 2, "fail*": 2, "unavailable": 3, "decoupl*": 4,
            "loosely coupled": 4, "loose coupling": 4, "resilien*": 4, "outage*": 4,
            "single point of failure": 4, "redundan*": 3, "surviv*": 3, "data loss": 3,
            "durab*": 2, "availability": 2, "available": 1, "multi az": 3,
            "multiple availability zone": 3, "another availability zone": 3,
            "availability zone": 1, "multi region": 3, "another region": 2,
            "second region": 2, "secondary region": 3, "backup*": 2, "restore*": 2,
            "recover*": 3, "replicat*": 1, "retry": 3, "retries": 3, "backoff": 3,
            "dead letter queue": 3, "dlq": 3, "idempot*": 3, "health check*": 3,
            "unhealthy": 2, "self heal*": 3, "pilot light": 4, "warm standby": 4,
            "active active": 3, "active passive": 3, "multi site": 3, "global table": 2,
            "global database": 2, "cross region replication": 3, "crr": 2,
            "point in time recovery": 3, "pitr": 3, "snapshot*": 1, "standby": 2,
            "static stability": 4, "statically stable": 4, "quota*": 1, "throttl*": 1,
            "queue*": 2, "sqs": 2, "sns": 1, "fan out": 2, "eventbridge": 1,
            "step functions": 1, "message*": 1, "asynchronous*": 2, "event driven": 2,
            "microservice*": 1, "stateless": 2, "elastic disaster recovery": 3,
            "aws backup": 2, "route 53": 1, "lose": 2, "lost": 2, "not lose": 3,
            "reprocess*": 2, "checkpoint*": 2, "versioning": 2, "accidental*": 2,
            "terminat*": 1, "scalab*": 1,
            "auto scaling": 1, "load balanc*": 1, "blue green": 2, "immutable": 1,
            "rollback": 2, "roll back": 2, "interruption*": 1, "zonal": 1,
        },
        "high-performing": {
            # 3.1 storage; 3.2 compute; 3.3 database; 3.4 network; 3.5 data ingestion.
            "latency": 3, "low latency": 4, "performance": 3, "high performance": 4,
            "throughput": 3, "iops": 3, "faster": 3, "fastest": 3, "speed*": 2,
            "millisecond*": 2, "microsecond*": 3, "cach*": 3, "read heavy": 3,
            "read intensive": 3, "write heavy": 3, "read replica*": 3, "bottleneck*": 3,
            "slow*": 2, "scale out": 2, "scaling policy": 2, "target tracking": 2,
            "spike*": 2, "burst*": 2, "concurren*": 2, "real time": 3,
            "near real time": 3, "stream*": 2, "ingest*": 3, "clickstream": 3,
            "accelerat*": 3, "parallel*": 2, "big data": 2, "analytic*": 2, "quer*": 2,
            "etl": 2, "transform*": 2, "data lake": 2, "data warehous*": 2,
            "compute intensive": 3, "cpu": 1, "gpu": 2, "hpc": 3,
            "high performance computing": 3, "memory": 1, "instance type": 2,
            "instance famil*": 2, "elasticache": 2, "dax": 3, "cloudfront": 2, "cdn": 2,
            "content delivery": 2, "edge location*": 2, "global accelerator": 2,
            "kinesis": 2, "firehose": 2, "redshift": 1, "athena": 1, "emr": 2,
            "glue": 1, "spark": 2, "hadoop": 2, "opensearch": 1, "msk": 2, "kafka": 2,
            "quicksight": 1, "placement group": 3, "enhanced networking": 3, "efa": 3,
            "lustre": 3, "io2": 2, "io1": 2, "gp3": 1, "provisioned iops": 3,
            "instance store": 2, "nvme": 2, "multipart": 2, "byte range": 2,
            "aws batch": 2, "rds proxy": 3, "connection pool*": 3, "partition key": 2,
            "hot partition": 3, "shard*": 2, "capacity unit*": 2,
            "provisioned concurrency": 3, "cold start*": 3, "global user": 2,
            "around the world": 2, "worldwide": 2, "geographic*": 1, "scale*": 1,
            "scaling": 1, "elasticity": 2, "auto scaling": 1, "routing polic*": 2,
            "weighted": 1, "geoproximity": 2, "geolocation": 1, "latency based": 2,
            "dns": 1, "resolver": 1, "hosted zone": 1, "ttl": 1, "origin shield": 3,
            "cache hit*": 3, "cache miss*": 3, "bandwidth": 2, "gbps": 1, "mbps": 1,
            "datasync": 1, "snowball": 1, "direct connect": 1,
        },
        "cost-optimized": {
            # 4.1 storage; 4.2 compute; 4.3 database; 4.4 network costs.
            # What the question asks for outweighs what it is about: "the MOST
            # cost-effective way to encrypt" is a cost question.
            "cost effective": 8, "cost effectively": 8, "cost efficient*": 8,
            "lowest cost": 8, "lowest possible cost": 8, "least expensive": 8,
            "cheapest": 8, "most economical": 8, "reduce cost": 8, "reduce the cost": 8,
            "lower cost": 8, "minimize cost": 8, "cut cost": 8,
            "cost saving": 6, "save cost": 6, "cost optimization": 6,
            "cost optimized": 6, "cheaper": 3, "cost": 3, "costly": 3, "expensive": 3, "price": 2,
            "pricing": 2, "pay": 2, "paid": 2, "charge*": 2, "bill*": 2, "spend*": 2,
            "budget*": 3, "saving*": 3, "discount*": 3, "economical*": 3, "money": 3,
            "free": 1, "spot": 3, "savings plan": 4, "reserved instance": 3,
            "reserved capacity": 3, "on demand": 1, "commitment": 2, "upfront": 2,
            "cost explorer": 3, "cost and usage report": 3, "cost allocation tag": 3,
            "compute optimizer": 2, "trusted advisor": 1, "intelligent tiering": 3,
            "glacier": 2, "deep archive": 3, "standard ia": 3, "infrequent*": 3,
            "one zone ia": 3, "archiv*": 2, "lifecycle": 3, "tiering": 2,
            "rightsiz*": 3, "right size": 3, "right sizing": 3, "idle": 3,
            "underutiliz*": 3, "over provision*": 3, "overprovision*": 3, "unused": 2,
            "data transfer": 2, "egress": 2, "nat gateway": 1, "gateway endpoint": 2,
            "requester pays": 3, "graviton": 2, "price performance": 3, "licens*": 1,
            "byol": 2, "schedul*": 1, "only pay": 3, "per request": 1,
        },
    },
    CLF: {
        "cloud-concepts": {
            # 1.1 benefits; 1.2 design principles; 1.3 migration; 1.4 cloud economics.
            "benefit*": 2, "value proposition": 4, "economies of scale": 4,
            "economy of scale": 4, "agility": 4, "agile": 3, "elasticity": 3,
            "global reach": 4, "speed of deployment": 4, "go global": 4,
            "well architected": 4, "pillar*": 4, "operational excellence": 4,
            "performance efficiency": 4, "sustainability": 3, "reliability": 2,
            "cloud adoption framework": 4, "caf": 4, "perspective*": 4,
            "cloud economics": 4,
            "migration strateg*": 4, "rehost*": 4, "replatform*": 4, "refactor*": 4,
            "repurchas*": 4, "relocat*": 3, "retire": 3, "retain": 2,
            "lift and shift": 4, "fixed cost": 4, "variable cost": 4,
            "variable expense": 4, "capital expense*": 4, "capital expenditure*": 4,
            "capex": 4, "opex": 4, "upfront": 2, "on premises": 2, "data center*": 2,
            "rightsiz*": 3, "right sizing": 3, "licens*": 2, "byol": 3,
            "design principle*": 4, "stop guessing": 4, "capacity": 1,
            "migrat*": 2, "snowball": 2, "migration hub": 3, "cloud computing": 2,
            "trade": 2, "guess*": 2, "automat*": 1, "managed service*": 2,
            "total cost of ownership": 3, "tco": 3, "scalab*": 1, "loosely coupled": 2,
            "high availability": 1, "esg": 3,
        },
        "security-compliance": {
            # 2.1 shared responsibility; 2.2 security, governance, compliance;
            # 2.3 access management; 2.4 security resources.
            "shared responsibility": 4, "security of the cloud": 4,
            "security in the cloud": 4, "patch*": 3, "physical security": 4,
            "compliance": 4, "compliant": 4, "artifact": 4, "audit*": 3,
            "encrypt*": 4, "decrypt*": 3, "kms": 3, "cloudhsm": 3, "iam": 3,
            "root user": 4, "root account": 4, "mfa": 4, "multi factor": 4,
            "least privilege": 4, "access key*": 3, "password*": 3, "credential*": 3,
            "identity center": 3, "federat*": 3, "single sign on": 3, "permission*": 3,
            "secrets manager": 3, "shield": 3, "waf": 3, "guardduty": 3,
            "inspector": 3, "macie": 3, "security hub": 3, "detective": 3,
            "firewall manager": 3, "firewall*": 2, "security group*": 3,
            "network acl": 3, "nacl": 3, "cloudtrail": 3, "aws config": 3,
            "audit manager": 4, "governance": 3, "control tower": 2, "threat*": 3,
            "vulnerabilit*": 3, "ddos": 4, "attack*": 3, "malicious": 3, "cognito": 2,
            "abuse": 3, "penetration test*": 4, "security": 2, "secure*": 2,
            "protect*": 1, "certificate*": 2, "regulat*": 3, "privacy": 2,
            "authenticat*": 3, "authoriz*": 2, "polic*": 1, "sensitive": 2,
        },
        "technology-services": {
            # 3.1 deploying and operating; 3.2 global infrastructure; 3.3 compute;
            # 3.4 database; 3.5 network; 3.6 storage; 3.7 AI/ML and analytics; 3.8 others.
            "ec2": 2, "lambda": 2, "ecs": 2, "eks": 2, "fargate": 2,
            "elastic beanstalk": 2, "lightsail": 2, "s3": 1, "ebs": 2, "efs": 2,
            "fsx": 2, "storage gateway": 2, "rds": 2, "aurora": 2, "dynamodb": 2,
            "elasticache": 2, "redshift": 2, "neptune": 2, "documentdb": 2,
            "instance store": 2, "vpc": 2, "subnet*": 2, "route 53": 2,
            "cloudfront": 2, "global accelerator": 2, "direct connect": 2, "vpn": 2,
            "internet gateway": 2, "region": 2, "availability zone": 2,
            "edge location": 3, "local zone": 3, "wavelength": 3, "outposts": 3,
            "cli": 3, "sdk": 3, "management console": 3, "console": 1,
            "deployment model": 4, "hybrid": 2,
            "cloudformation": 2, "cdk": 2, "infrastructure as code": 3, "api": 1,
            "sqs": 2, "sns": 2, "eventbridge": 2, "step functions": 2, "kinesis": 2,
            "athena": 2, "glue": 2, "emr": 2, "quicksight": 2, "sagemaker": 3,
            "rekognition": 3, "lex": 3, "polly": 3, "comprehend": 3, "transcribe": 3,
            "translate": 3, "textract": 3, "kendra": 3, "amazon connect": 3, "ses": 2,
            "codecommit": 3, "codebuild": 3, "codedeploy": 3, "codepipeline": 3,
            "cloud9": 3, "cloudshell": 3, "x ray": 3, "workspaces": 3,
            "appstream": 3, "iot": 3, "amplify": 3, "appsync": 3, "cloudwatch": 2,
            "systems manager": 2, "database*": 2, "storage": 1, "compute": 1,
            "container*": 2, "serverless": 2, "machine learning": 2, "load balanc*": 2,
            "auto scaling": 2, "instance*": 1, "deploy*": 1, "dms": 2,
            "database migration service": 2, "backup": 1, "network*": 1,
        },
        "billing-support": {
            # 4.1 pricing models; 4.2 billing, budgets, cost management; 4.3 support.
            "pricing": 3, "price*": 3, "cost*": 2, "bill*": 3, "invoice*": 3,
            "on demand instance": 3, "reserved instance": 4, "spot instance": 4,
            "savings plan": 4, "dedicated host": 3, "dedicated instance": 3,
            "capacity reservation": 3, "free tier": 4, "cost explorer": 4,
            "budgets": 4, "pricing calculator": 4, "cost and usage report": 4,
            "consolidated billing": 4, "cost allocation tag": 4, "billing conductor": 4,
            "support plan*": 4, "basic support": 4, "developer support": 4,
            "business support": 4, "enterprise support": 4, "enterprise on ramp": 4,
            "technical account manager": 4, "tam": 4, "concierge": 4,
            "trusted advisor": 4, "health dashboard": 3, "support case*": 3,
            "re post": 4, "knowledge center": 3, "marketplace": 3,
            "partner network": 3, "apn": 3, "professional services": 3,
            "aws iq": 3, "managed services": 2, "activate": 3, "data transfer": 2,
            "response time": 3, "pay": 2, "discount*": 3, "charge*": 3, "spend*": 2,
            "support": 1, "commitment": 2,
        },
    },
}


# The in-scope services' home domains, for questions that state no requirement ("Does Route
# 53 support MX records?"): counted only when the table above decides nothing. SAA-C03's
# domain 3 task statements are about choosing storage, compute, database and network
# services; its domain 1 about identities and the VPC's security components.
SERVICES: dict[str, dict[str, dict[str, float]]] = {
    SAA: {
        "secure": {
            "user": 1, "group": 1, "account": 1, "vpc": 1, "subnet": 1,
            "nat": 1, "internet gateway": 1, "vpn": 1, "key pair": 1, "ssh": 1,
            "port": 1, "cidr": 1, "ip range": 1, "peering": 1,
        },
        "resilient": {
            "elastic ip": 1, "auto scaling group": 1,
            "simple workflow": 1, "swf": 1, "reduced redundancy": 1, "rrs": 1,
            "cloudformation": 1, "template": 1,
        },
        "high-performing": {
            "ec2": 1, "instance": 1, "ami": 1, "ebs": 1, "volume": 1, "efs": 1,
            "fsx": 1, "s3": 1, "bucket": 1, "object": 1, "storage": 1, "rds": 1,
            "db instance": 1, "database": 1, "aurora": 1, "dynamodb": 1, "lambda": 1,
            "ecs": 1, "eks": 1, "fargate": 1, "container": 1, "elastic beanstalk": 1,
            "route 53": 1, "record": 1, "cname": 1, "alias": 1, "elb": 1,
            "load balancer": 1, "alb": 1, "nlb": 1, "network": 1, "mysql": 1,
            "postgresql": 1, "sql server": 1, "oracle": 1, "nosql": 1, "relational": 1,
            "cloudwatch": 1, "metric": 1, "api gateway": 1, "ses": 1,
            "simple email service": 1,
        },
        "cost-optimized": {
            "tag": 1, "free tier": 1, "reserved": 1, "stopped": 1,
        },
    },
}



def _stem(word: str) -> str:
    """A word as the table matches it: its plural "s" dropped (not "ss", "us", "is")."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower())]


# Every rule as (exam, domain, weight, fallback), indexed for the search: phrases by their
# first word, one-word prefixes in one tuple (str.startswith takes a tuple and runs in C).
_Target = tuple[str, str, float, bool]
_PHRASES: dict[str, list[tuple[tuple[str, ...], bool, int, _Target]]] = {}
_PREFIXES: list[tuple[str, int, _Target]] = []


def _build() -> None:
    rule = 0
    for fallback, table in ((False, TABLE), (True, SERVICES)):
        for exam, domains in table.items():
            for domain, phrases in domains.items():
                for phrase, weight in phrases.items():
                    _add(phrase, rule, (exam, domain, float(weight), fallback))
                    rule += 1


def _add(phrase: str, rule: int, target: _Target) -> None:
    prefix = phrase.endswith("*")
    if prefix and " " not in phrase:
        if any(p == phrase[:-1] and t[:2] == target[:2] for p, _, t in _PREFIXES):
            raise ValueError(f"{phrase!r} is twice in {target[0]} {target[1]}")
        _PREFIXES.append((phrase[:-1], rule, target))
        return
    words = tuple(_words(phrase.rstrip("*")))
    if prefix:  # the last word as written, not made singular
        words = (*words[:-1], phrase.rstrip("*").rsplit(" ", 1)[1])
    if any(w == words and t[:2] == target[:2] for w, _, _, t in _PHRASES.get(words[0], ())):
        raise ValueError(f"{phrase!r} is twice in {target[0]} {target[1]}")
    _PHRASES.setdefault(words[0], []).append((words, prefix, rule, target))


_build()
_PREFIX_TUPLE = tuple(p for p, _, _ in _PREFIXES)


def _matches(words: list[str]) -> Iterable[tuple[int, _Target]]:
    """The rules found in `words`, each once, with the index of the word it starts at."""
    seen: set[int] = set()
    for i, word in enumerate(words):
        for phrase, prefix, rule, target in _PHRASES.get(word, ()):
            if rule in seen:
                continue
            found = words[i:i + len(phrase)]
            if prefix:
                hit = len(found) == len(phrase) and found[:-1] == list(phrase[:-1]) \
                    and found[-1].startswith(phrase[-1])
            else:
                hit = tuple(found) == phrase
            if hit:
                seen.add(rule)
                yield i, target
        if word.startswith(_PREFIX_TUPLE):
            for prefix_, rule, target in _PREFIXES:
                if rule not in seen and word.startswith(prefix_):
                    seen.add(rule)
                    yield i, target


Scores = dict[str, dict[str, float]]  # exam -> domain -> score


def domain_scores(text: str) -> tuple[Scores, Scores]:
    """The evidence in `text`: the scores from the table of intents and concepts, and the
    same plus the services' home domains (only domains with evidence appear)."""
    primary: Scores = {}
    combined: Scores = {}
    for at, (exam, domain, weight, fallback) in _matches(_words(text)):
        if at < LEAD_WORDS:
            weight *= LEAD_FACTOR
        for scores in (combined,) if fallback else (primary, combined):
            per_exam = scores.setdefault(exam, {})
            per_exam[domain] = per_exam.get(domain, 0.0) + weight
    return primary, combined


def infer_domains(text: str) -> dict[str, str]:
    """exam -> domain slug for each exam whose domain the text decides. The intents and
    concepts decide first: the domain with the highest score, when it has at least
    MIN_SCORE and leads the next by MARGIN. A question that states no requirement (a
    service trivia question) is decided the same way with its services counted too, with
    FALLBACK_MIN_SCORE. Empty when the text has no evidence, or only a tie."""
    primary, combined = domain_scores(text)
    decided: dict[str, str] = {}
    for exam in combined:
        choice = _leader(primary.get(exam, {}), MIN_SCORE) \
            or _leader(combined[exam], FALLBACK_MIN_SCORE)
        if choice:
            decided[exam] = choice
    return decided


def _leader(per_domain: dict[str, float], minimum: float) -> str | None:
    if not per_domain:
        return None
    ranked = sorted(per_domain.items(), key=lambda kv: (-kv[1], kv[0]))
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return best if score >= minimum and score - runner_up >= MARGIN else None


_EXAM_NAMES = {
    SAA: re.compile(r"(?<![a-z0-9])saa[\s_-]?c0?3(?![0-9])|solutions?[\s_-]+architect",
                    re.IGNORECASE),
    CLF: re.compile(r"(?<![a-z0-9])clf[\s_-]?c0?2(?![0-9])|cloud[\s_-]+practitioner",
                    re.IGNORECASE),
}


def exams_named(title: str) -> tuple[str, ...]:
    """The exams a bank's title (or file name) names: "AWS Certified Solutions Architect -
    Associate (SAA-C03) practice questions" -> ("saa-c03",). Empty when it names none."""
    return tuple(exam for exam, pattern in _EXAM_NAMES.items() if pattern.search(title))
