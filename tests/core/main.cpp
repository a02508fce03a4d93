#define BOOST_TEST_MODULE gem_core
#if defined(GEM_BOOST_TEST_INCLUDED)
#include <boost/test/included/unit_test.hpp>
#else
#include <boost/test/unit_test.hpp>
#endif
